// The run signals a pusher may send in a service's group, besides the heartbeat itself. The
// exporter reads them and the push client (`pushgateway-exporter push`) writes them: one list.

/** When a run finished OK: the default heartbeat metric. */
export const SUCCESS_METRIC = 'loop_heartbeat_timestamp_seconds';
/** When a run started. */
export const START_METRIC = 'loop_start_timestamp_seconds';
/** When a run failed. */
export const FAILURE_METRIC = 'loop_failure_timestamp_seconds';
/** How long the last finished run took (pushed with its success or failure). */
export const RUN_DURATION_METRIC = 'loop_last_run_duration_seconds';
