// The demo's environments: one service per slot (staging, the production canary, production), each
// on a fixed loopback port so that Prometheus can scrape a slot whatever version it runs. Deploying
// a version replaces the slot's service; how a version behaves is the demo's script (below), as in
// real life it would be its code.
import { freePort } from '@hotfix-actions/testkit';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startCanaryService, type CanaryService } from '@hotfix-actions/testkit';

/** Where a version can run. */
export type DemoSlot = 'staging' | 'canary' | 'production';

/** The slots, in the order a release reaches them. */
export const DEMO_SLOTS: readonly DemoSlot[] = ['staging', 'canary', 'production'];

/** A version that fails in production: its fix holds a lock across the payment retry. */
export const DEMO_BAD_TAG = 'v1.2.5';
/** Share of production requests the bad version fails (its canary must abort quickly). */
export const DEMO_BAD_ERROR_RATE = 0.25;

/** How a version behaves in a slot: only production traffic exposes the bad version's deadlock. */
export function demoBehaviour(tag: string, slot: DemoSlot): { mode: 'healthy' | 'bad'; errorRate: number } {
  if (tag === DEMO_BAD_TAG && slot !== 'staging') return { mode: 'bad', errorRate: DEMO_BAD_ERROR_RATE };
  return { mode: 'healthy', errorRate: 0 };
}

/** What runs in a slot. */
export interface DemoSlotState {
  tag: string;
  service: CanaryService;
}

/** The services of the demo and a deploy endpoint for deploy commands. */
export interface DemoFleet {
  /** `host:port` of every slot, for Prometheus. */
  readonly targets: Record<DemoSlot, string>;
  /** The health URL of a slot. */
  healthUrl(slot: DemoSlot): string;
  /** What runs in a slot now. */
  running(slot: DemoSlot): DemoSlotState | undefined;
  /** Replaces the slot's service by `tag`'s (production: the canary's too). */
  deploy(slot: DemoSlot, tag: string): Promise<DemoSlotState>;
  /** Stops the slot's service. */
  retire(slot: DemoSlot): Promise<void>;
  /** `POST <deployUrl>/<slot>/<tag>` deploys (what a deploy command calls). */
  readonly deployUrl: string;
  /** Every deploy made, in order. */
  readonly history: { slot: DemoSlot; tag: string; at: number }[];
  stop(): Promise<void>;
}

/**
 * Starts the fleet (no service yet). `traffic` is the synthetic production load per second that a
 * scraping Prometheus sees (0 without Prometheus: the HTTP probes are the traffic then).
 */
export async function startDemoFleet(options: { seed: number; traffic: number }): Promise<DemoFleet> {
  const ports = {} as Record<DemoSlot, number>;
  for (const slot of DEMO_SLOTS) ports[slot] = await freePort();
  const slots = new Map<DemoSlot, DemoSlotState>();
  const history: DemoFleet['history'] = [];
  let deploys = 0;

  const retire = async (slot: DemoSlot): Promise<void> => {
    const current = slots.get(slot);
    slots.delete(slot);
    await current?.service.stop();
  };
  const deploy = async (slot: DemoSlot, tag: string): Promise<DemoSlotState> => {
    await retire(slot);
    // A production deploy replaces every production instance, the canary's included.
    if (slot === 'production') await retire('canary');
    const behaviour = demoBehaviour(tag, slot);
    deploys += 1;
    const service = await startCanaryService({
      port: ports[slot],
      version: tag,
      mode: behaviour.mode,
      errorRate: behaviour.errorRate,
      // Each deploy draws its own errors, all from the one seed.
      seed: options.seed * 1000 + deploys,
      traffic: slot === 'staging' ? 0 : options.traffic,
    });
    const state = { tag, service };
    slots.set(slot, state);
    history.push({ slot, tag, at: Date.now() });
    return state;
  };

  // The endpoint a deploy command reaches: the rollback action runs the user's command, which here
  // asks the demo to put a version in a slot.
  const control: Server = createServer((request, response) => {
    const match = /^\/deploy\/(staging|canary|production)\/(v\d+\.\d+\.\d+)$/.exec(request.url ?? '');
    if (request.method !== 'POST' || !match) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('POST /deploy/<staging|canary|production>/<tag>\n');
      return;
    }
    deploy(match[1] as DemoSlot, match[2]!).then(
      (state) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ slot: match[1], tag: state.tag, url: state.service.url }));
      },
      (error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(`${error instanceof Error ? error.message : String(error)}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    control.once('error', reject);
    control.listen(0, '127.0.0.1', resolve);
  });
  const deployUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}/deploy`;

  return {
    targets: Object.fromEntries(DEMO_SLOTS.map((slot) => [slot, `127.0.0.1:${ports[slot]}`])) as Record<
      DemoSlot,
      string
    >,
    healthUrl: (slot) => `http://127.0.0.1:${ports[slot]}/health`,
    running: (slot) => slots.get(slot),
    deploy,
    retire,
    deployUrl,
    history,
    async stop() {
      for (const slot of DEMO_SLOTS) await retire(slot);
      control.closeAllConnections();
      await new Promise<void>((resolve) => control.close(() => resolve()));
    },
  };
}
