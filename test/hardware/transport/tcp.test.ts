import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { TcpLink } from "../../../hardware/transport/tcp.ts";
import { readBytes, recordStates, waitForState } from "./helpers.ts";

describe("hardware/transport TcpLink", () => {
  const servers: net.Server[] = [];
  const accepted: net.Socket[] = [];
  const links: TcpLink[] = [];
  afterEach(async () => {
    for (const l of links.splice(0)) await l.close();
    for (const s of accepted.splice(0)) s.destroy();
    for (const s of servers.splice(0)) s.close();
  });

  /** A raw-9100-like server on 127.0.0.1, port 0; returns its sockets as they connect. */
  async function server(port = 0) {
    const sockets: net.Socket[] = [];
    const srv = net.createServer((s) => {
      s.on("error", () => {});
      sockets.push(s);
      accepted.push(s);
    });
    servers.push(srv);
    await new Promise<void>((r) => srv.listen(port, "127.0.0.1", () => r()));
    const addr = srv.address();
    if (!addr || typeof addr === "string") throw new Error("no address");
    return { srv, port: addr.port, sockets };
  }

  it("sends bytes to the server and emits what it answers", async () => {
    const { port, sockets } = await server();
    const link = new TcpLink({ id: "t1", host: "127.0.0.1", port });
    links.push(link);
    await link.open();
    expect(link.state).toBe("open");
    expect(link.duplex).toBe(true);
    const s = sockets[0];
    if (!s) throw new Error("no connection");
    const got = readBytes(s, 3, 2000);
    await link.write(Buffer.from([0x10, 0x04, 0x04]));
    expect(await got).toEqual(Buffer.from([0x10, 0x04, 0x04]));
    const back = readBytes(link, 1, 2000);
    s.write(Buffer.from([0x12]));
    expect(await back).toEqual(Buffer.from([0x12]));
  });

  it("reconnects after the server drops the connection", async () => {
    const { port, sockets } = await server();
    const link = new TcpLink({ id: "t2", host: "127.0.0.1", port });
    links.push(link);
    await link.open();
    const states = recordStates(link);
    sockets[0]?.destroy();
    await waitForState(link, "closed", 2000);
    await waitForState(link, "open", 2000);
    expect(states.map((s) => s.state).slice(0, 3)).toEqual(["closed", "connecting", "open"]);
    await new Promise((r) => setTimeout(r, 20));
    expect(sockets).toHaveLength(2);
    const got = readBytes(sockets[1] as net.Socket, 2, 2000);
    await link.write(Buffer.from("ok"));
    expect((await got).toString()).toBe("ok");
  });

  it("retries while the server is down and connects within 2 s once it is back", async () => {
    const first = await server();
    const port = first.port;
    const link = new TcpLink({ id: "t3", host: "127.0.0.1", port });
    links.push(link);
    await link.open();
    first.srv.close();
    first.sockets[0]?.destroy();
    await waitForState(link, "closed", 2000);
    await new Promise((r) => setTimeout(r, 500));
    expect(link.state).not.toBe("open");
    await expect(link.write(Buffer.from("x"))).rejects.toMatchObject({ code: "OFFLINE" });

    await server(port);
    const back = Date.now();
    await waitForState(link, "open", 2000);
    expect(Date.now() - back).toBeLessThan(2000);
  });

  it("reports the reason when nothing listens on the port", async () => {
    const { srv, port } = await server();
    await new Promise<void>((r) => srv.close(() => r()));
    const link = new TcpLink({ id: "t4", host: "127.0.0.1", port, connectTimeoutMs: 200 });
    links.push(link);
    const states = recordStates(link);
    await link.open();
    expect(link.state).toBe("closed");
    expect(states.at(-1)?.detail).toBe("ECONNREFUSED");
  });
});
