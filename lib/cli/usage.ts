import { CONFIG_DEFAULTS } from '../core/config/config-types.ts';
import { SUCCESS_METRIC } from '../core/probe/signal-metrics.ts';

export const CLI_NAME = 'pushgateway-exporter';
/** Long enough for a loaded Pushgateway, short enough that a cron run never hangs on one. */
export const DEFAULT_PUSH_TIMEOUT_SECONDS = 10;

export const USAGE = `Usage: ${CLI_NAME} <command> [options]

Commands:
  push --service NAME [options] [-- COMMAND [ARG...]]
      Without COMMAND: push a success (the heartbeat) for NAME now, or a start (--start) or a
      failure (--fail). With COMMAND: push a start, run COMMAND, push a success or a failure with
      the run's duration, and exit with COMMAND's exit code (a failed push only warns).
        --pushgateway URL    Pushgateway base URL (default: $PUSHGATEWAY_URL); repeat it, or give
                             a comma list, to push to several (exit 0 when one accepts);
                             http://user:password@host:9091 sends basic auth
        --job JOB            grouping key job (default: ${CONFIG_DEFAULTS.job})
        --instance NAME      grouping key instance (default: the service name)
        --label NAME=VALUE   one more grouping label; repeat for more
        --start | --fail     push a start or a failure instead of a success
        --heartbeat-metric NAME  the success metric, for a service with its own heartbeat_metric
                             (default: ${SUCCESS_METRIC})
        --timeout SECONDS    how long one push may take (default: ${DEFAULT_PUSH_TIMEOUT_SECONDS})
  check-config FILE...
      Validate config files as the exporter does ($PUSHGATEWAY_URL overrides pushgateway_url);
      exit 1 listing every problem.
  probe --target NAME [--config FILE]
      Evaluate one probe as GET /probe?target=NAME&debug=true does and print the report;
      exit 0 when probe_success is 1, 1 when it is 0, 2 when there is no probe answer.
  reap [--dry-run] [--config FILE]
      Delete the Pushgateway groups of configured services older than their expire_after_seconds,
      listing each (group, age, service); a group pushed again since the sweep read it is kept.
      --dry-run lists what would be deleted and deletes nothing. Exit 0, or 1 when the sweep fails.
  help, --help       show this help
  --version          show the version

Environment: PUSHGATEWAY_URL, PUSHGATEWAY_BEARER_TOKEN (sent as Authorization: Bearer),
CONFIG_FILE, CONFIG_SSM_PARAMETER, LOG_LEVEL (probe logs nothing unless it is set).
`;
