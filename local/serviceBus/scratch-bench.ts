import { queueRoundtrip } from "../bench/queueRoundtrip.js";
await queueRoundtrip.run((f) => console.log(JSON.stringify({ bench: queueRoundtrip.name, ...f })));
