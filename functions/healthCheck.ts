import { app } from "@azure/functions";
import { handleHealthCheckTimer, HEALTH_CHECK_FUNCTION, HEALTH_CHECK_SCHEDULE_SETTING } from "../shared/host/triggers/healthCheck.js";

app.timer(HEALTH_CHECK_FUNCTION, { schedule: `%${HEALTH_CHECK_SCHEDULE_SETTING}%`, runOnStartup: false, useMonitor: true, handler: handleHealthCheckTimer });
