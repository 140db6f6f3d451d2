import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Stop: every open connection is cut and new ones are refused (the listener closes). */
  cut(): Promise<void>;
  /**
   * The database stops answering without refusing: open connections stop forwarding and new ones
   * are accepted and never forwarded (a hung server or a network partition, not a closed port).
   */
  blackhole(): void;
  /** Listen again on the same port (after a blackhole: its connections are cut, new ones forwarded). */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** A TCP forwarder to a real server (Postgres) that a test can cut and restore: "the database went away". */
export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let holding = false;
  const onConnection = (client: net.Socket) => {
    if (holding) {
      sockets.add(client);
      client.pause();
      client.on('error', () => sockets.delete(client)).on('close', () => sockets.delete(client));
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  };
  let server = net.createServer(onConnection);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const closeServer = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      if (!server.listening) resolve();
      else server.close(() => resolve());
    });
  return {
    port,
    cut: closeServer,
    blackhole() {
      holding = true;
      for (const s of sockets) s.pause();
    },
    async restore() {
      if (holding) {
        holding = false;
        for (const s of sockets) s.destroy();
        sockets.clear();
      }
      if (server.listening) return;
      server = net.createServer(onConnection);
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    },
    close: closeServer,
  };
}
