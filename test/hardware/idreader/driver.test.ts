import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IdCardReader, type IdCardEvent, type IdReaderStatus } from "../../../hardware/idreader/driver.ts";
import type { IdCardText } from "../../../hardware/idreader/protocol.ts";
import { IdReaderSimulator } from "../../../hardware/idreader/simulator.ts";
import { LINK_ENVS, type LinkEnv, collect, waitFor } from "../keypad/links.ts";

const ALICE: IdCardText = {
  name: "王䶮",
  sexCode: "1",
  nationCode: "01",
  birthDate: "19900101",
  address: "山东省德州市平原县龙门街道办事处东关村123号",
  idNumber: "371428199001011234",
  issuer: "平原县公安局",
  validFrom: "20150601",
  validTo: "20350601",
};
const BOB: IdCardText = { ...ALICE, name: "李娜", sexCode: "2", idNumber: "37142819850505432X", validTo: "长期" };

for (const [envName, makeEnv] of LINK_ENVS) {
  describe(`idreader/driver IdCardReader over ${envName}`, () => {
    let env: LinkEnv;
    let reader: IdCardReader;
    let sim: IdReaderSimulator;
    let cards: IdCardEvent[];
    let statuses: IdReaderStatus[];
    const finds = () => sim.received.filter((c) => c === "FIND_CARD").length;

    beforeEach(async () => {
      env = await makeEnv();
      sim = new IdReaderSimulator(env.device);
      reader = new IdCardReader(env.host, { pollIntervalMs: 20, timeoutMs: 150 });
      cards = collect(reader, "card");
      statuses = collect(reader, "status");
      reader.start();
    });

    afterEach(async () => {
      await reader.stop();
      sim.detach();
      await env.dispose();
    });

    it("reads a placed card once, with the masked number, however long it lies there", async () => {
      sim.placeCard(ALICE);
      await waitFor(() => cards.length === 1, 3000, "card");
      const seen = finds();
      await waitFor(() => finds() >= seen + 5, 3000, "more polls");
      expect(cards).toHaveLength(1);
      expect(cards[0]).toMatchObject({
        name: "王䶮",
        idNumber: "371428199001011234",
        maskedIdNumber: "3714**********1234",
        sex: "male",
        nation: "汉",
      });
      expect(reader.status).toEqual({ health: "online" });
    });

    it("reads the same card again after it was taken away and put back, and a second card", async () => {
      sim.placeCard(ALICE);
      await waitFor(() => cards.length === 1, 3000, "first card");
      sim.removeCard();
      const seen = finds();
      await waitFor(() => finds() >= seen + 3, 3000, "polls without card");
      sim.placeCard(ALICE);
      await waitFor(() => cards.length === 2, 3000, "same card again");
      sim.placeCard(BOB);
      await waitFor(() => cards.length === 3, 3000, "second card");
      expect(cards.map((c) => c.maskedIdNumber)).toEqual(["3714**********1234", "3714**********1234", "3714**********432X"]);
      expect(cards[2]?.validTo).toBe("长期");
    });

    it("turns to error TIMEOUT when the reader stays silent, and back online when it answers", async () => {
      sim.injectFault("silent");
      await waitFor(() => reader.status.health === "error", 3000, "timeout status");
      expect(reader.status).toEqual({ health: "error", detail: "TIMEOUT" });
      sim.injectFault("none");
      sim.placeCard(ALICE);
      await waitFor(() => cards.length === 1, 3000, "card after recovery");
      expect(reader.status).toEqual({ health: "online" });
    });

    it("drops garbled answers without emitting a card", async () => {
      sim.injectFault("garbled");
      sim.placeCard(ALICE);
      const seen = finds();
      await waitFor(() => finds() >= seen + 3, 3000, "garbled polls");
      expect(cards).toEqual([]);
      expect(reader.status.health).toBe("error");
      sim.injectFault("none");
      await waitFor(() => cards.length === 1, 3000, "card once answers are clean");
    });

    it("reports a SAM failure code", async () => {
      sim.injectFault("sam_error");
      await waitFor(() => reader.status.health === "error", 3000, "sam error");
      expect(reader.status).toEqual({ health: "error", detail: "SAM_60" });
    });

    if (envName !== "serialport MockBinding") {
      it("goes offline on unplug and resumes polling after replug", async () => {
        sim.placeCard(ALICE);
        await waitFor(() => cards.length === 1, 3000, "card before unplug");
        await env.unplug?.();
        await waitFor(() => reader.status.health === "offline", 3000, "offline");
        // While unplugged someone swaps the card.
        sim.placeCard(BOB);
        await env.replug?.();
        await waitFor(() => cards.length === 2, 5000, "card after replug");
        expect(cards[1]?.name).toBe("李娜");
        expect(statuses.map((s) => s.health)).toContain("offline");
        expect(statuses.at(-1)).toEqual({ health: "online" });
      });
    }
  });
}

describe("idreader/driver removal debounce", () => {
  async function scenario(misses: number): Promise<number> {
    const entry = LINK_ENVS[0];
    if (!entry) throw new Error("no memory env");
    const env = await entry[1]();
    const sim = new IdReaderSimulator(env.device);
    const reader = new IdCardReader(env.host, { pollIntervalMs: 10, timeoutMs: 150, removeAfterMisses: 2 });
    const cards = collect<IdCardEvent>(reader, "card");
    const finds = () => sim.received.filter((c) => c === "FIND_CARD").length;
    sim.placeCard(ALICE);
    reader.start();
    try {
      await waitFor(() => cards.length === 1, 3000, "card");
      sim.missNextFinds(misses);
      const at = finds();
      await waitFor(() => finds() >= at + misses + 4, 3000, "polls");
      return cards.length;
    } finally {
      await reader.stop();
      sim.detach();
      await env.dispose();
    }
  }

  it("does not re-emit after a lone 'no card' answer while the card still lies there", async () => {
    expect(await scenario(1)).toBe(1);
  });

  it("re-emits once 'no card' was answered removeAfterMisses times in a row", async () => {
    expect(await scenario(2)).toBe(2);
  });
});
