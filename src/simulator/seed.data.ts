/**
 * Deterministic demo data for the simulator: a mortgage brokerage. Location A (DEMO_LOCATION_ID)
 * holds ~200 contacts with tasks, notes and appointments; location B (OTHER_LOCATION_ID) a smaller,
 * distinct book. Same seed → same ids and content; timestamps are relative to the clock at seeding.
 */
import type { SimulatorContact, SimulatorCustomFieldValue } from "./simulator.types.js";
import { appointmentTime } from "./appointment-time.js";
import { createRng, type Rng } from "./random.js";
import type { MemoryStore } from "./simulator.store.js";

/** Location A: the demo brokerage (20-char alphanumeric, HighLevel id shape). */
export const DEMO_LOCATION_ID = "SimLocationAlpha0001";
/** Location B: another sub-account, for isolation tests. */
export const OTHER_LOCATION_ID = "SimLocationBravo0002";
export const DEFAULT_SEED = 20210728;

/** Loan officers (user ids) contacts and tasks are assigned to. */
export const DEMO_USER_IDS = ["SimUserLoanOfficer01", "SimUserLoanOfficer02", "SimUserProcessor0003"] as const;
export const DEMO_CALENDAR_ID = "SimCalendarMortgage1";

/**
 * Each location's calendars (`GET /calendars/`), one per user: a seeded appointment is booked in
 * its assigned user's calendar, so a location's appointments spread over a few calendars.
 */
const CALENDARS: Readonly<Record<string, readonly { id: string; name: string }[]>> = {
  [DEMO_LOCATION_ID]: [
    { id: DEMO_CALENDAR_ID, name: "Loan officer 1 consultations" },
    { id: "SimCalendarMortgage2", name: "Loan officer 2 consultations" },
    { id: "SimCalendarProcess03", name: "Processing calls" },
  ],
  [OTHER_LOCATION_ID]: [
    { id: "SimCalendarBravo0001", name: "Bravo consultations" },
    { id: "SimCalendarBravo0002", name: "Bravo follow-ups" },
    { id: "SimCalendarBravo0003", name: "Bravo closings" },
  ],
};

/** The calendar of `user` in a location (defined by `registerLocations`). */
function calendarOf(locationId: string, user: string): string {
  const calendars = CALENDARS[locationId] ?? [{ id: DEMO_CALENDAR_ID }];
  const index = Math.max(0, (DEMO_USER_IDS as readonly string[]).indexOf(user)) % calendars.length;
  return calendars[index]!.id;
}

const LOAN_TYPES = ["30-year fixed", "15-year fixed", "5/1 ARM", "FHA", "VA", "jumbo"];
const CREDIT_BANDS = ["760+", "720-759", "680-719", "640-679", "<640"];
/** The loan stage picklist; a contact's stage follows its stage tag (STAGE_TAGS, same order). */
export const DEMO_LOAN_STAGES = ["Lead", "Pre-Approval", "Application", "Underwriting", "Closed"] as const;
const LENDERS = ["Rocket Mortgage", "United Wholesale Mortgage", "Chase", "Wells Fargo", "Guild Mortgage", "Navy Federal"];

/**
 * Custom field definitions of the demo locations: the mortgage-broker field set
 * (`key` is what `{key, field_value}` writes use; `dataType` as `GET /locations/:id/customFields`
 * names it, FACTS.md "Bulk and location routes").
 */
export const DEMO_CUSTOM_FIELDS = [
  { key: "loan_amount", id: "CfLoanAmount00000001", name: "Loan Amount", dataType: "MONETORY" },
  { key: "property_value", id: "CfPropertyValue00002", name: "Property Value", dataType: "MONETORY" },
  { key: "loan_type", id: "CfLoanType0000000003", name: "Loan Type", dataType: "SINGLE_OPTIONS", picklistOptions: LOAN_TYPES },
  { key: "credit_score_band", id: "CfCreditScoreBand004", name: "Credit Score Band", dataType: "SINGLE_OPTIONS", picklistOptions: CREDIT_BANDS },
  { key: "rate_lock_expiry", id: "CfRateLockExpiry0005", name: "Rate Lock Expiry", dataType: "DATE" },
  { key: "loan_stage", id: "CfLoanStage000000006", name: "Loan Stage", dataType: "SINGLE_OPTIONS", picklistOptions: DEMO_LOAN_STAGES },
  { key: "lender", id: "CfLender000000000007", name: "Lender", dataType: "TEXT" },
] as const;

function defineDemoFields(store: MemoryStore, locationId: string): void {
  DEMO_CUSTOM_FIELDS.forEach((field, position) =>
    store.defineCustomField(locationId, field.key, field.id, {
      name: field.name,
      dataType: field.dataType,
      picklistOptions: "picklistOptions" in field ? field.picklistOptions : [],
      position: position * 50,
    }),
  );
}

const FIRST_NAMES = [
  "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "William",
  "Mia", "Benjamin", "Charlotte", "Lucas", "Amelia", "Henry", "Harper", "Alexander", "Evelyn",
  "Mateo", "Abigail", "Daniel", "Emily", "Michael", "Ella", "Sebastian", "Scarlett", "Jack",
  "Grace", "Owen", "Chloe", "Samuel", "Priya", "Wei", "Aisha", "Diego", "Fatima", "Hiroshi",
  "Ingrid", "Kofi", "Lucía", "Mohammed", "Nadia", "Oren", "Rosa", "Sven", "Tomasz", "Yara",
  "Zoe", "Gabriel", "Hannah", "Isaac", "Julia", "Kevin", "Laura", "Marcus", "Nina", "Patrick",
];
const LAST_NAMES = [
  "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
  "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
  "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark",
  "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Nguyen",
  "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell",
  "Carter", "Roberts", "O'Brien", "Kowalski", "Okafor", "Tanaka", "Schmidt", "Haddad", "Larsen",
];
const EMAIL_DOMAINS = ["gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me", "fastmail.com"];
const CITIES = [
  { city: "Austin", state: "TX", postalCode: "78701", timezone: "America/Chicago", area: "512" },
  { city: "Denver", state: "CO", postalCode: "80202", timezone: "America/Denver", area: "303" },
  { city: "Portland", state: "OR", postalCode: "97205", timezone: "America/Los_Angeles", area: "503" },
  { city: "Raleigh", state: "NC", postalCode: "27601", timezone: "America/New_York", area: "919" },
  { city: "Phoenix", state: "AZ", postalCode: "85004", timezone: "America/Phoenix", area: "602" },
  { city: "Columbus", state: "OH", postalCode: "43215", timezone: "America/New_York", area: "614" },
  { city: "Nashville", state: "TN", postalCode: "37203", timezone: "America/Chicago", area: "615" },
];
const STREETS = ["Maple Ave", "Oak St", "Cedar Ln", "Pine Rd", "Elm Dr", "Lakeview Blvd", "Hillcrest Way", "Sunset Ct"];
const SOURCES = ["website form", "zillow referral", "realtor referral", "facebook ad", "open house", "past client", "google ads"];
const BUSINESSES_A = [
  { name: "Keystone Realty Group" },
  { name: "Summit Home Builders" },
  { name: "Harbor Title & Escrow" },
  { name: "Bluebonnet Property Management" },
  { name: "Northgate Financial Planning" },
];
const BUSINESSES_B = [{ name: "Riverside Realtors" }, { name: "Canyon Credit Union" }];
const STAGE_TAGS = ["lead", "pre-approved", "application", "underwriting", "closed"] as const;
const EXTRA_TAGS = ["refinance", "first-home-buyer", "investor", "va-loan", "fha", "jumbo", "self-employed", "referral"] as const;
const TASK_TITLES = [
  "Call to discuss rate options", "Collect last two pay stubs", "Request W-2s for 2 years",
  "Order appraisal", "Send pre-approval letter", "Follow up on bank statements",
  "Review credit report with client", "Schedule closing date", "Confirm homeowner's insurance",
  "Send Loan Estimate", "Verify employment", "Rate lock reminder",
];
const NOTE_BODIES = [
  "Client prefers contact by text after 5pm.",
  "Discussed 30-year vs 15-year fixed; leaning towards 30-year for lower payment.",
  "Realtor says offer accepted, closing targeted in 30 days.",
  "Needs gift letter from parents for part of the down payment.",
  "Self-employed: will need two years of tax returns and a P&L.",
  "Asked about refinancing once rates drop below 6%.",
  "Appraisal came in at value, no issues.",
  "Sent list of required documents by email.",
  "Interested in a rental property as a second investment.",
  "Credit score improved after paying down a card; re-pull next month.",
];
const APPOINTMENT_TITLES = ["Initial consultation", "Pre-approval review", "Document review call", "Closing prep meeting", "Refinance options call"];

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface SeedOptions {
  seed: number;
  nowMs: number;
}

/** Fill the store with the demo book. Returns nothing; everything is deterministic per seed. */
export function seedStore(store: MemoryStore, options: SeedOptions): void {
  seedLocation(store, {
    locationId: DEMO_LOCATION_ID,
    contacts: 200,
    rng: createRng(options.seed),
    nowMs: options.nowMs,
    businesses: BUSINESSES_A,
    emailPrefix: "",
    phoneBase: 1000,
    fieldSeed: options.seed ^ 0x1f3d5b79,
  });
  seedLocation(store, {
    locationId: OTHER_LOCATION_ID,
    contacts: 20,
    rng: createRng(options.seed ^ 0x5bd1e995),
    nowMs: options.nowMs,
    businesses: BUSINESSES_B,
    emailPrefix: "b.",
    phoneBase: 7000,
    fieldSeed: options.seed ^ 0x2c1b3c6d,
  });
}

/** Only register the demo locations and their custom fields (seed: false). */
export function registerLocations(store: MemoryStore): void {
  for (const locationId of [DEMO_LOCATION_ID, OTHER_LOCATION_ID]) {
    store.addLocation(locationId);
    defineDemoFields(store, locationId);
    for (const calendar of CALENDARS[locationId] ?? []) store.defineCalendar(locationId, { ...calendar, groupId: "SimCalendarGroup0001" });
  }
}

interface LocationSeed {
  locationId: string;
  contacts: number;
  rng: Rng;
  nowMs: number;
  businesses: { name: string }[];
  emailPrefix: string;
  phoneBase: number;
  /** Seed of the loan-stage/lender stream. */
  fieldSeed: number;
}

function seedLocation(store: MemoryStore, seed: LocationSeed): void {
  const { rng, nowMs, locationId } = seed;
  store.addLocation(locationId);
  defineDemoFields(store, locationId);
  // The loan stage and lender come from their own stream, so every other seeded value stays as it was.
  const fieldRng = createRng(seed.fieldSeed);
  const businesses = seed.businesses.map((b) => ({ ...b, id: rng.hex24() }));
  const iso = (ms: number) => new Date(ms).toISOString();

  for (let i = 0; i < seed.contacts; i++) {
    const firstName = rng.pick(FIRST_NAMES);
    const lastName = rng.pick(LAST_NAMES);
    const place = rng.pick(CITIES);
    // Newest first: contact i was added ~30h before contact i-1 (strictly decreasing, distinct).
    const addedMs = nowMs - HOUR_MS - i * 30 * HOUR_MS - rng.int(10 * HOUR_MS);
    const updatedMs = addedMs + rng.int(Math.max(1, Math.min(20 * DAY_MS, nowMs - 60_000 - addedMs)));
    const stage = STAGE_TAGS[Math.min(STAGE_TAGS.length - 1, Math.floor(rng.next() * rng.next() * STAGE_TAGS.length * 1.6))] ?? "lead";
    const tags: string[] = [stage];
    for (const extra of EXTRA_TAGS) if (rng.chance(0.12)) tags.push(extra);
    const business = rng.chance(0.3) ? rng.pick(businesses) : undefined;
    const emailLocal = `${seed.emailPrefix}${ascii(firstName)}.${ascii(lastName)}${i}`.toLowerCase();
    const email = `${emailLocal}@${rng.pick(EMAIL_DOMAINS)}`;
    const phone = `+1${place.area}555${String(seed.phoneBase + i).padStart(4, "0")}`;
    const loanAmount = 150_000 + rng.int(60) * 10_000;
    const customFields: SimulatorCustomFieldValue[] = [
      { id: DEMO_CUSTOM_FIELDS[0].id, value: String(loanAmount) },
      { id: DEMO_CUSTOM_FIELDS[1].id, value: String(Math.round(loanAmount / (0.6 + rng.next() * 0.35) / 1000) * 1000) },
      { id: DEMO_CUSTOM_FIELDS[2].id, value: rng.pick(LOAN_TYPES) },
      { id: DEMO_CUSTOM_FIELDS[3].id, value: rng.pick(CREDIT_BANDS) },
    ];
    if (stage === "underwriting" || stage === "application") {
      customFields.push({ id: DEMO_CUSTOM_FIELDS[4].id, value: iso(nowMs + (5 + rng.int(40)) * DAY_MS).slice(0, 10) });
    }
    customFields.push({ id: DEMO_CUSTOM_FIELDS[5].id, value: DEMO_LOAN_STAGES[STAGE_TAGS.indexOf(stage)] ?? "Lead" });
    if (stage !== "lead") customFields.push({ id: DEMO_CUSTOM_FIELDS[6].id, value: fieldRng.pick(LENDERS) });
    const contact: SimulatorContact = {
      id: rng.id20(),
      locationId,
      name: `${firstName} ${lastName}`,
      firstName,
      lastName,
      firstNameLowerCase: firstName.toLowerCase(),
      lastNameLowerCase: lastName.toLowerCase(),
      fullNameLowerCase: `${firstName} ${lastName}`.toLowerCase(),
      email,
      emailLowerCase: email,
      phone,
      companyName: business?.name ?? (rng.chance(0.2) ? `${lastName} Holdings LLC` : undefined),
      businessId: business?.id,
      tags,
      source: rng.pick(SOURCES),
      type: stage === "closed" ? "customer" : "lead",
      dnd: rng.chance(0.05),
      assignedTo: rng.pick(DEMO_USER_IDS),
      timezone: place.timezone,
      address1: `${100 + rng.int(9800)} ${rng.pick(STREETS)}`,
      city: place.city,
      state: place.state,
      country: "US",
      postalCode: place.postalCode,
      dateOfBirth: rng.chance(0.5) ? iso(Date.UTC(1955 + rng.int(45), rng.int(12), 1 + rng.int(28))) : undefined,
      dateAdded: iso(addedMs),
      dateUpdated: iso(updatedMs),
      lastActivity: iso(updatedMs),
      customFields,
      followers: [],
    };
    for (const key of Object.keys(contact)) if (contact[key] === undefined) delete contact[key];
    store.insertContact(contact);

    const taskCount = rng.int(4);
    for (let t = 0; t < taskCount; t++) {
      const dueMs = nowMs + (rng.int(50) - 20) * DAY_MS + rng.int(8) * HOUR_MS;
      const completed = dueMs < nowMs ? rng.chance(0.6) : rng.chance(0.1);
      const task = {
        id: rng.id20(),
        title: rng.pick(TASK_TITLES),
        body: `${rng.pick(TASK_TITLES)} for ${firstName}.`,
        assignedTo: rng.pick(DEMO_USER_IDS),
        dueDate: iso(dueMs),
        completed,
        contactId: contact.id,
        dateAdded: iso(Math.min(addedMs + rng.int(5) * DAY_MS, nowMs - 60_000)),
      };
      store.insertTask(task);
    }
    const noteCount = rng.int(4);
    for (let n = 0; n < noteCount; n++) {
      store.insertNote({
        id: rng.id20(),
        body: rng.pick(NOTE_BODIES),
        userId: rng.pick(DEMO_USER_IDS),
        dateAdded: iso(Math.min(addedMs + (n + 1) * rng.int(4 * DAY_MS), nowMs - 60_000)),
        contactId: contact.id,
      });
    }
    const appointmentCount = rng.chance(0.4) ? 1 + rng.int(2) : 0;
    for (let a = 0; a < appointmentCount; a++) {
      const startMs = Math.floor((nowMs + (rng.int(40) - 20) * DAY_MS) / HOUR_MS) * HOUR_MS;
      const past = startMs < nowMs;
      const appointmentStatus = past ? rng.pick(["showed", "showed", "noshow", "cancelled"]) : "confirmed";
      const user = rng.pick(DEMO_USER_IDS);
      store.insertAppointment({
        id: rng.id20(),
        calendarId: calendarOf(locationId, user),
        status: appointmentStatus === "cancelled" ? "cancelled" : "booked",
        title: `${rng.pick(APPOINTMENT_TITLES)}: ${firstName} ${lastName}`,
        assignedUserId: user,
        notes: rng.pick(NOTE_BODIES),
        // Upstream sends appointment times in several forms (FACTS.md): ISO Z, zone-less, with offset.
        startTime: appointmentTime(startMs, a + i),
        endTime: appointmentTime(startMs + 45 * 60_000, a + i),
        address: rng.chance(0.5) ? "https://meet.example.com/mortgage-desk" : `${place.city} branch office`,
        locationId,
        contactId: contact.id,
        groupId: "SimCalendarGroup0001",
        appointmentStatus,
        users: [user],
        dateAdded: iso(Math.min(startMs - 7 * DAY_MS, nowMs - 60_000)),
        dateUpdated: iso(Math.min(startMs - 7 * DAY_MS, nowMs - 60_000)),
      });
    }
  }
}

function ascii(value: string): string {
  return value.normalize("NFD").replace(/[^A-Za-z]/g, "");
}
