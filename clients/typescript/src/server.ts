// A real shegong server for the scenario: a fresh database of its own, `shegong serve --demo` on a
// free local port, ready when /readyz answers 200; stopped (SIGTERM) and the database dropped at
// the end, also when the scenario fails.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { randomBytes } from "node:crypto";
import { dirname, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface ServerOptions {
  /** The server binary (default: `$SHEGONG_BIN`, else `<repo>/target/debug/shegong`). */
  binary: string;
  /** The maintenance database URL used to create and drop the scenario's database. */
  adminUrl: string;
  /** Where the server's output goes. */
  logFile: string;
}

export class RunningServer {
  private exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  constructor(
    readonly base: string,
    readonly databaseName: string,
    private readonly adminUrl: string,
    private readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolveExit) => {
      child.once("exit", (code, signal) => {
        this.exitCode = code ?? (signal ? null : 0);
        resolveExit(this.exitCode);
      });
    });
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** SIGTERM, then SIGKILL after 20 s; then drops the database. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.running) {
      this.child.kill("SIGTERM");
      const done = await Promise.race([this.exited.then(() => true), sleep(20_000).then(() => false)]);
      if (!done) {
        this.child.kill("SIGKILL");
        await this.exited;
      }
    }
    dropDatabase(this.adminUrl, this.databaseName);
  }
}

export function defaultBinary(repoRoot: string): string {
  if (process.env.SHEGONG_BIN) {
    return resolve(process.env.SHEGONG_BIN);
  }
  const targetDir = process.env.CARGO_TARGET_DIR ? resolve(repoRoot, process.env.CARGO_TARGET_DIR) : resolve(repoRoot, "target");
  return resolve(targetDir, "debug", "shegong");
}

/** The maintenance database: `$TEST_DATABASE_URL` as for the Rust tests, else the local postgres. */
export function defaultAdminUrl(): string {
  return process.env.TEST_DATABASE_URL || "postgres://postgres:postgres@127.0.0.1:5432/postgres";
}

function psql(adminUrl: string, sql: string): { ok: boolean; output: string } {
  const r = spawnSync("psql", [adminUrl, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-c", sql], { encoding: "utf8" });
  if (r.error) {
    return { ok: false, output: `psql could not run: ${r.error.message}` };
  }
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
}

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function dropDatabase(adminUrl: string, name: string): void {
  const r = psql(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  if (!r.ok) {
    console.error(`warning: could not drop database ${name}: ${r.output}`);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      if (address === null || typeof address === "string") {
        reject(new Error("no port"));
        return;
      }
      srv.close(() => resolvePort(address.port));
    });
  });
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  if (!existsSync(options.binary)) {
    throw new Error(`the server binary ${options.binary} is missing: build it with \`cargo build --locked --bin shegong\``);
  }
  const name = `shegong_ts_${process.pid}_${randomBytes(4).toString("hex")}`;
  const created = psql(options.adminUrl, `CREATE DATABASE "${name}"`);
  if (!created.ok) {
    throw new Error(`could not create database ${name} through ${redact(options.adminUrl)}: ${created.output}`);
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile);
  const child = spawn(options.binary, ["serve", "--demo"], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      DATABASE_URL: databaseUrl(options.adminUrl, name),
      SHEGONG_BIND: `127.0.0.1:${port}`,
      SHEGONG_ENV: "development",
      SHEGONG_JWT_SECRET: randomBytes(48).toString("base64"),
      SHEGONG_WORKERS: "2",
      SHEGONG_HASH_CONCURRENCY: "2",
      SHEGONG_LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const server = new RunningServer(base, name, options.adminUrl, child, options.logFile);
  try {
    await waitReady(server);
  } catch (e) {
    await server.stop();
    throw e;
  }
  return server;
}

async function waitReady(server: RunningServer): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (!server.running) {
      throw new Error(`the server exited before it was ready (see ${server.logFile})`);
    }
    try {
      const r = await fetch(`${server.base}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (r.status === 200) {
        return;
      }
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`the server was not ready within 120 s (see ${server.logFile})`);
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) {
    u.password = "***";
  }
  return u.toString();
}
