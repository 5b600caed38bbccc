/** The mutations and inputs in the built schema match schema/schema.graphql (names and argument types). */
import { printType, type GraphQLInputObjectType, type GraphQLObjectType } from "graphql";
import { describe, expect, it } from "vitest";
import { buildGatewaySchema } from "../../../../src/graphql/schema.js";
import { WRITE_RESOLVERS } from "../../../../src/graphql/write/index-write.js";

describe("write schema", () => {
  it("exposes the mutations of schema/schema.graphql with its published signature", async () => {
    const schema = await buildGatewaySchema({ resolvers: WRITE_RESOLVERS });
    const mutation = schema.getMutationType() as GraphQLObjectType;
    const fields = mutation.getFields();
    const signature = (name: string) => {
      const f = fields[name]!;
      return `${name}(${f.args.map((a) => `${a.name}: ${String(a.type)}${a.defaultValue !== undefined ? ` = ${JSON.stringify(a.defaultValue)}` : ""}`).join(", ")}): ${String(f.type)}`;
    };
    expect(Object.keys(fields).sort()).toEqual(
      [
        "addContactTags", "completeTask", "createContact", "createTask", "deleteContact", "deleteTask", "updateContact", "updateTask",
        // search, field mapping and the remaining routes of HighLevel's Contacts OpenAPI spec
        "removeContactTags", "upsertContact", "createNote", "updateNote", "deleteNote", "addContactFollowers", "removeContactFollowers",
        "addContactToCampaign", "removeContactFromCampaign", "removeContactFromAllCampaigns", "addContactToWorkflow",
        "removeContactFromWorkflow", "updateContactsTags", "setContactsBusiness",
      ].sort(),
    );
    expect(signature("removeContactTags")).toBe("removeContactTags(contactId: ID!, tags: [String!]!): [String!]!");
    expect(signature("upsertContact")).toBe("upsertContact(input: CreateContactInput!): UpsertContactPayload!");
    expect(signature("createNote")).toBe("createNote(contactId: ID!, input: CreateNoteInput!): Note!");
    expect(signature("updateNote")).toBe("updateNote(contactId: ID!, noteId: ID!, input: UpdateNoteInput!): Note!");
    expect(signature("deleteNote")).toBe("deleteNote(contactId: ID!, noteId: ID!): Boolean!");
    expect(schema.getQueryType()?.getFields()["duplicateContact"]?.args.map((a) => `${a.name}: ${String(a.type)}`)).toEqual(["email: String", "phone: String"]);
    expect(signature("createContact")).toBe("createContact(input: CreateContactInput!): Contact!");
    expect(signature("updateContact")).toBe("updateContact(id: ID!, input: UpdateContactInput!, ifUnmodifiedSince: DateTime): Contact!");
    expect(signature("deleteContact")).toBe("deleteContact(id: ID!): Boolean!");
    expect(signature("createTask")).toBe("createTask(contactId: ID!, input: CreateTaskInput!): Task!");
    expect(signature("updateTask")).toBe("updateTask(contactId: ID!, taskId: ID!, input: UpdateTaskInput!, ifMatch: TaskPreconditionInput): Task!");
    expect(signature("completeTask")).toBe("completeTask(contactId: ID!, taskId: ID!, completed: Boolean! = true): Task!");
    expect(signature("deleteTask")).toBe("deleteTask(contactId: ID!, taskId: ID!): Boolean!");
    expect(signature("addContactTags")).toBe("addContactTags(contactId: ID!, tags: [String!]!): [String!]!");
    const input = (name: string) => printType(schema.getType(name) as GraphQLInputObjectType).replace(/"""[^"]*"""\s*/g, "").replace(/\s+/g, " ");
    expect(input("CreateTaskInput")).toBe(
      "input CreateTaskInput { title: String! body: String dueDate: DateTime! completed: Boolean = false assignedTo: String }",
    );
    expect(input("CustomFieldInput")).toBe("input CustomFieldInput { id: ID key: String value: String }");
    expect(input("UpdateContactInput")).toBe(
      "input UpdateContactInput { firstName: String lastName: String name: String email: String phone: String tags: [String!] source: String timezone: String assignedTo: String customFields: [CustomFieldInput!] address1: String city: String state: String postalCode: String country: String website: String dateOfBirth: String dnd: Boolean dndSettings: [DndChannelSettingInput!] }",
    );
  });
});
