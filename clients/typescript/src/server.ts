// A real shegong server for the scenario: a fresh database of its own, `shegong serve --demo` on a
// free local port, ready when /readyz answers 200; stopped (SIGTERM) and the database dropped at
// the end, also when the scenario fails.
import { spawn, type ChildProcess } from "node:child_process";
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

/**
 * One scenario's server. It exists before its database does, so that `stop()` cleans up whatever
 * was made, whenever it is called (a failure, a signal during start-up): it stops the process
 * (SIGTERM, then SIGKILL after 20 s) and drops the database. Safe to call more than once.
 */
export class ServerHarness {
  readonly databaseName = `shegong_ts_${process.pid}_${randomBytes(4).toString("hex")}`;
  base = "";
  private databaseCreated = false;
  private creating: Promise<unknown> | undefined;
  private stopped = false;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private exitCode: number | null | undefined;

  constructor(readonly options: ServerOptions) {}

  get logFile(): string {
    return this.options.logFile;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitCode === undefined;
  }

  async start(): Promise<void> {
    const { binary, adminUrl, logFile } = this.options;
    if (!existsSync(binary)) {
      throw new Error(`the server binary ${binary} is missing: build it with \`cargo build --locked --bin shegong\``);
    }
    const creating = psql(adminUrl, `CREATE DATABASE "${this.databaseName}"`).then((r) => {
      this.databaseCreated = r.ok;
      return r;
    });
    this.creating = creating;
    const created = await creating;
    if (!created.ok) {
      throw new Error(`could not create database ${this.databaseName} through ${redact(adminUrl)}: ${created.output}`);
    }
    const port = await freePort();
    if (this.stopped) {
      throw new Error("stopped while starting");
    }
    this.base = `http://127.0.0.1:${port}`;
    mkdirSync(dirname(logFile), { recursive: true });
    const log = createWriteStream(logFile);
    const child = spawn(binary, ["serve", "--demo"], {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        // As in production: the migrations and the demo data as the owner, the server as a role
        // of its own that owns nothing (README, "Database roles").
        SHEGONG_MIGRATION_DATABASE_URL: databaseUrl(adminUrl, this.databaseName),
        DATABASE_URL: serverUrl(adminUrl, this.databaseName),
        SHEGONG_BIND: `127.0.0.1:${port}`,
        SHEGONG_ENV: "development",
        SHEGONG_JWT_SECRET: randomBytes(48).toString("base64"),
        SHEGONG_WORKERS: "2",
        SHEGONG_HASH_CONCURRENCY: "2",
        SHEGONG_LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.exited = new Promise((resolveExit) => {
      child.once("exit", (code) => {
        this.exitCode = code;
        resolveExit();
      });
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    await this.waitReady();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.creating;
    if (this.running && this.child !== undefined) {
      this.child.kill("SIGTERM");
      const done = await Promise.race([this.exited.then(() => true), sleep(20_000).then(() => false)]);
      if (!done) {
        this.child.kill("SIGKILL");
        await this.exited;
      }
    }
    if (this.databaseCreated) {
      this.databaseCreated = false;
      await dropDatabase(this.options.adminUrl, this.databaseName);
    }
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (this.stopped) {
        throw new Error("stopped while starting");
      }
      if (!this.running) {
        throw new Error(`the server exited before it was ready (see ${this.logFile})`);
      }
      try {
        const r = await fetch(`${this.base}/readyz`, { signal: AbortSignal.timeout(2_000) });
        if (r.status === 200) {
          return;
        }
      } catch {
        // not listening yet
      }
      await sleep(250);
    }
    throw new Error(`the server was not ready within 120 s (see ${this.logFile})`);
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

/** Runs one statement with psql; asynchronously, so that signals are still handled meanwhile. */
function psql(adminUrl: string, sql: string): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolveRun) => {
    const child = spawn("psql", [adminUrl, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-c", sql], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.once("error", (error) => resolveRun({ ok: false, output: `psql could not run: ${error.message}` }));
    child.once("close", (code) => resolveRun({ ok: code === 0, output: output.trim() }));
  });
}

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The server's login role, made a member of `shegong_app` by `shegong serve`'s migrations. */
const SERVER_ROLE = "shegong_server";

function serverUrl(adminUrl: string, name: string): string {
  const url = new URL(databaseUrl(adminUrl, name));
  url.username = SERVER_ROLE;
  url.password = SERVER_ROLE;
  return url.toString();
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const r = await psql(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
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

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) {
    u.password = "***";
  }
  return u.toString();
}
