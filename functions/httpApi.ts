import { app } from "@azure/functions";
import { HTTP_ROUTES } from "../shared/host/http/routes.js";

// Every HTTP endpoint (shared/host/http/routes.ts). Anonymous at the host: each route authenticates
// its caller itself (Entra ID bearer tokens, or the Action Group's token or key).
for (const route of HTTP_ROUTES) app.http(route.name, { methods: [...route.methods], route: route.route, authLevel: "anonymous", handler: route.handler });
