/**
 * Demo activity (demo mode): every `intervalMs` one gentle change in the demo location
 * — a new note, a completed task or a booked appointment — made through the store with
 * `emit: true`, the same path API writes take, so signed webhooks go out. Off unless started.
 */
import { createRng } from "./random.js";
import { DEMO_CALENDAR_ID, DEMO_USER_IDS } from "./seed.data.js";
import type { MemoryStore } from "./simulator.store.js";

export interface ActivityGeneratorOptions {
  store: MemoryStore;
  locationId: string;
  intervalMs: number;
  seed: number;
  now: () => number;
}

export interface ActivityGenerator {
  start(): void;
  stop(): void;
  /** Make one change now; returns the webhook type it caused, if any. */
  tick(): string | undefined;
}

const DEMO_NOTES = [
  "Called back: client wants to lock the rate this week.",
  "Received updated bank statements.",
  "Realtor confirmed inspection went fine.",
  "Client asked about points vs. higher rate.",
  "Sent updated Loan Estimate after rate change.",
  "Appraisal scheduled, waiting for the report.",
];
const DEMO_APPOINTMENT_TITLES = ["Rate lock call", "Pre-approval review", "Closing prep meeting", "Refinance options call"];

export function createActivityGenerator(options: ActivityGeneratorOptions): ActivityGenerator {
  if (!Number.isFinite(options.intervalMs) || options.intervalMs <= 0) {
    throw new Error(`activity.intervalMs: expected a positive number of ms, received ${String(options.intervalMs)}`);
  }
  const rng = createRng(options.seed ^ 0x1b873593);
  const { store, locationId } = options;
  let timer: NodeJS.Timeout | undefined;

  const recentContacts = () => store.sortedContacts(locationId).slice(0, 40);

  const addNote = (): string | undefined => {
    const contact = rng.pick(recentContacts());
    store.createNote(contact.id, { body: rng.pick(DEMO_NOTES), userId: rng.pick(DEMO_USER_IDS) }, { emit: true });
    return "NoteCreate";
  };
  const completeTask = (): string | undefined => {
    for (const contact of recentContacts()) {
      const open = store.listTasks(contact.id).filter((t) => !t.completed);
      const task = open[0];
      if (task) {
        store.completeTask(contact.id, task.id, true, { emit: true });
        return "TaskComplete";
      }
    }
    return undefined;
  };
  const bookAppointment = (): string | undefined => {
    const contact = rng.pick(recentContacts());
    const hour = 3_600_000;
    const startMs = Math.ceil((options.now() + (1 + rng.int(14)) * 24 * hour) / hour) * hour;
    const user = rng.pick(DEMO_USER_IDS);
    store.createAppointment(
      contact.id,
      {
        calendarId: DEMO_CALENDAR_ID,
        title: `${rng.pick(DEMO_APPOINTMENT_TITLES)}: ${contact.name ?? "client"}`,
        startTime: new Date(startMs).toISOString(),
        endTime: new Date(startMs + 45 * 60_000).toISOString(),
        assignedUserId: user,
        users: [user],
        address: "https://meet.example.com/mortgage-desk",
      },
      { emit: true },
    );
    return "AppointmentCreate";
  };

  const tick = (): string | undefined => {
    if (recentContacts().length === 0) return undefined;
    const roll = rng.next();
    if (roll < 0.45) return addNote();
    if (roll < 0.75) return completeTask() ?? addNote();
    return bookAppointment();
  };

  return {
    start() {
      if (timer) return;
      timer = setInterval(() => {
        try {
          tick();
        } catch {
          // A demo nicety must never take the simulator down.
        }
      }, options.intervalMs);
      timer.unref?.();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
    tick,
  };
}
