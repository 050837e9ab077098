import { app } from "@azure/functions";
import { DRILL_SCHEDULE_SETTING, handleScheduledDrill, SCHEDULED_DRILL_FUNCTION } from "../shared/host/triggers/scheduledDrill.js";

app.timer(SCHEDULED_DRILL_FUNCTION, {
  schedule: `%${DRILL_SCHEDULE_SETTING}%`,
  runOnStartup: false,
  useMonitor: true,
  handler: async (timer, context) => void (await handleScheduledDrill(timer, context)),
});
