/**
 * SocketQuota — one Durable Object per client address: how many live WebSockets that address holds
 * on all objects together. Each socket holds a lease (taken before it is accepted, given back when
 * it closes); leases expire on their own, so a release lost to a crash cannot lock an address out
 * for good. Only the WebSocket upgrade path asks it, never a booking.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Bindings } from '../env';
import { LIVE_SOCKETS } from '../shared/live-sockets';

export class SocketQuota extends DurableObject<Bindings> {
  /** The table is created on first use (and again after the storage was wiped when empty: see alarm()). */
  private table(): SqlStorage {
    const sql = this.ctx.storage.sql;
    sql.exec('CREATE TABLE IF NOT EXISTS leases (id TEXT PRIMARY KEY, until INTEGER NOT NULL)');
    return sql;
  }

  /** A lease until `until` (ms epoch), or null when the address already holds its maximum. */
  async acquire(input: { until: number }): Promise<{ lease: string } | null> {
    const sql = this.table();
    // Synchronous from the purge to the insert: two acquisitions cannot both take the last place.
    sql.exec('DELETE FROM leases WHERE until <= ?', Date.now());
    const held = sql.exec<{ n: number }>('SELECT count(*) AS n FROM leases').one().n;
    if (held >= LIVE_SOCKETS.perAddress) return null;
    const lease = crypto.randomUUID();
    sql.exec('INSERT INTO leases (id, until) VALUES (?, ?)', lease, input.until);
    // Wake when the last lease would lapse, to drop this address's storage once nothing is held.
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm < input.until) await this.ctx.storage.setAlarm(input.until);
    return { lease };
  }

  /** Gives leases back (unknown or expired ones are ignored: a release may come twice). */
  async release(input: { leases: string[] }): Promise<void> {
    if (!input.leases.length) return;
    const sql = this.table();
    for (const id of input.leases) sql.exec('DELETE FROM leases WHERE id = ?', id);
  }

  /** Leases held now (tests, diagnostics). */
  async held(): Promise<number> {
    const sql = this.table();
    return sql.exec<{ n: number }>('SELECT count(*) AS n FROM leases WHERE until > ?', Date.now()).one().n;
  }

  override async alarm(): Promise<void> {
    const sql = this.table();
    sql.exec('DELETE FROM leases WHERE until <= ?', Date.now());
    const last = sql.exec<{ until: number | null }>('SELECT max(until) AS until FROM leases').one().until;
    // An address that holds nothing keeps no storage: one object per address ever seen would pile up.
    if (last === null) await this.ctx.storage.deleteAll();
    else await this.ctx.storage.setAlarm(last);
  }
}

/**
 * The quota's key for a client address: an IPv4 address as it is, an IPv6 address by its /64
 * (one subscriber's network: its owner can pick any address in it). Anything else: one shared key.
 */
export function addressKey(ip: string | null | undefined): string {
  const raw = (ip ?? '').trim().toLowerCase();
  const v4 = raw.replace(/^::ffff:/, '');
  if (/^(\d{1,3}\.){3}\d{1,3}$/.test(v4)) return v4;
  if (!/^[0-9a-f:]{2,39}$/.test(raw) || raw.split('::').length > 2) return raw === 'local' ? 'local' : 'unknown';
  const [head, tail = ''] = raw.split('::');
  const left = head ? head.split(':') : [];
  const right = raw.includes('::') && tail ? tail.split(':') : [];
  const full = raw.includes('::')
    ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  if (full.length !== 8 || full.some((h) => h.length === 0 || h.length > 4)) return 'unknown';
  return `${full
    .slice(0, 4)
    .map((h) => h.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
