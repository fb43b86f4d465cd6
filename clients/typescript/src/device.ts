// The phone's local copy: every record pulled, keyed by entity and id, and the per-unit checksum
// of the sync contract computed over it.
import { createHash } from "node:crypto";

export interface DeviceRecord {
  entity: string;
  id: string;
  version: number;
  org_unit_id: string;
  /** The record as the pull served it (`data`). */
  data: object;
}

export interface UnitChecksum {
  count: number;
  checksum: string;
}

const MASK64 = (1n << 64n) - 1n;

/** First 8 bytes (big-endian u64) of SHA-256 of `"{entity}:{id}:{version}"`. */
export function recordHash(entity: string, id: string, version: number): bigint {
  const digest = createHash("sha256").update(`${entity}:${id}:${version}`, "utf8").digest();
  return digest.readBigUInt64BE(0);
}

export class Device {
  private readonly records = new Map<string, DeviceRecord>();
  cursor: string | undefined;

  private static key(entity: string, id: string): string {
    return `${entity}:${id}`;
  }

  upsert(record: DeviceRecord): void {
    this.records.set(Device.key(record.entity, record.id), record);
  }

  remove(entity: string, id: string): boolean {
    return this.records.delete(Device.key(entity, id));
  }

  get(entity: string, id: string): DeviceRecord | undefined {
    return this.records.get(Device.key(entity, id));
  }

  all(entity?: string): DeviceRecord[] {
    const all = [...this.records.values()];
    return entity === undefined ? all : all.filter((r) => r.entity === entity);
  }

  get size(): number {
    return this.records.size;
  }

  /** Count and checksum per unit: the wrapping sum (mod 2^64) of the records' hashes, 16 hex digits. */
  checksums(): Map<string, UnitChecksum> {
    const sums = new Map<string, { count: number; sum: bigint }>();
    for (const r of this.records.values()) {
      const unit = sums.get(r.org_unit_id) ?? { count: 0, sum: 0n };
      unit.count += 1;
      unit.sum = (unit.sum + recordHash(r.entity, r.id, r.version)) & MASK64;
      sums.set(r.org_unit_id, unit);
    }
    const out = new Map<string, UnitChecksum>();
    for (const [unit, { count, sum }] of sums) {
      out.set(unit, { count, checksum: sum.toString(16).padStart(16, "0") });
    }
    return out;
  }
}
