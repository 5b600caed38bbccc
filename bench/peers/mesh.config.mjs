// The peer's composition config: GraphQL Mesh's OpenAPI source over the vendored official
// Contacts spec (test/fixtures/contacts-api/apps/contacts.json), plus the joins a dashboard needs
// (contact -> tasks, notes, appointments) declared with @resolveTo. The upstream endpoint comes from
// PEER_UPSTREAM_URL at compose time; the bearer token is NOT written here: it is interpolated from
// the environment at request time (`{env.PEER_UPSTREAM_TOKEN}`), so it never lands in supergraph.graphql.
import { defineConfig } from "@graphql-mesh/compose-cli";
import { loadOpenAPISubgraph } from "@omnigraph/openapi";
import { fileURLToPath } from "node:url";

const specPath = fileURLToPath(new URL("../../test/fixtures/contacts-api/apps/contacts.json", import.meta.url));
const endpoint = process.env.PEER_UPSTREAM_URL;
if (!endpoint) throw new Error("PEER_UPSTREAM_URL: expected the simulator base URL (http://127.0.0.1:PORT), received nothing");

export const composeConfig = defineConfig({
  output: process.env.PEER_SUPERGRAPH_PATH ?? "supergraph.graphql",
  subgraphs: [
    {
      sourceHandler: loadOpenAPISubgraph("Contacts", {
        source: specPath,
        endpoint,
        // Without this the spec's 400/401/422 bodies turn every root field into a union.
        ignoreErrorResponses: true,
        operationHeaders: {
          Authorization: "Bearer {env.PEER_UPSTREAM_TOKEN}",
          Version: "2021-07-28",
        },
      }),
    },
  ],
  // The joins a dashboard needs (the spec has no links between resources), and the webhook-fed
  // subscription (Hive Gateway `webhooks: true` publishes POST /webhooks/contact_events bodies to
  // the topic below).
  additionalTypeDefs: /* GraphQL */ `
    extend type ContactsSearchSchema {
      tasks: TasksListSuccessfulResponseDto
        @resolveTo(sourceName: "Contacts", sourceTypeName: "Query", sourceFieldName: "get_all_tasks",
                   requiredSelectionSet: "{ id }", sourceArgs: { contactId: "{root.id}" })
      notes: GetNotesListSuccessfulResponseDto
        @resolveTo(sourceName: "Contacts", sourceTypeName: "Query", sourceFieldName: "get_all_notes",
                   requiredSelectionSet: "{ id }", sourceArgs: { contactId: "{root.id}" })
      appointments: GetEventsSuccessfulResponseDto
        @resolveTo(sourceName: "Contacts", sourceTypeName: "Query", sourceFieldName: "get_appointments_for_contact",
                   requiredSelectionSet: "{ id }", sourceArgs: { contactId: "{root.id}" })
    }
    type PeerContactEvent {
      type: String
      webhookId: String
      locationId: String
      id: String
      contactId: String
      title: String
      completed: Boolean
      contact: ContactsByIdSuccessfulResponseDto
        @resolveTo(sourceName: "Contacts", sourceTypeName: "Query", sourceFieldName: "get_contact",
                   requiredSelectionSet: "{ contactId }", sourceArgs: { contactId: "{root.contactId}" })
    }
    extend schema { subscription: Subscription }
    type Subscription {
      contactEvents: PeerContactEvent
        @resolveTo(pubsubTopic: "webhook:post:/webhooks/contact_events", sourceName: "Contacts")
    }
  `,
});
