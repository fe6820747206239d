import { it } from "vitest";
import { startTestHub } from "../../helpers/hub.ts";
it("probe", async () => {
  const t = await startTestHub();
  const r = await t.api("POST", "/api/tickets", { matterId: "m-001", kioskId: "k1" });
  console.log(JSON.stringify(r.body));
  const g = await t.api("GET", `/api/tickets/${r.body.id}`);
  console.log(JSON.stringify(g.body));
  console.log(JSON.stringify((await t.api("GET", "/api/health")).body));
  console.log(t.hub.devices.simulators("printer-k1")?.printerSim?.tickets.length);
  await t.close();
});
