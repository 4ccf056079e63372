// Hosting glue for SCIMMY 1.3.5 + scimmy-routers 1.3.2 on Express 4.22.3: the independent SCIM
// server scimspec's tests run the core profile against. SCIMMY leaves storage to the implementer,
// so this file is the only code around the library; every protocol decision (parsing, schema
// checks, PATCH, sorting, paging, projection, Bulk, .search) stays SCIMMY's, so the verdicts
// measure SCIMMY and not us. The glue decisions are those of the probe ground truth
// (shared/servers/scimmy/PROBE.md): 404 for unknown ids, case-insensitive userName uniqueness,
// filtering by SCIMMY's own Filter.match, the enterprise extension registered as optional, a
// static bearer token on every endpoint, absolute meta.location, no users/groups integrity.
//
// Usage: node server.js [--port N] [--token T]   (or PORT / SCIM_TOKEN in the environment)
// Base URL: http://127.0.0.1:PORT/scim/v2
import {randomUUID} from "node:crypto";
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";

const arg = (name) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
};
const port = Number(arg("port") ?? process.env.PORT ?? 8080);
const token = arg("token") ?? process.env.SCIM_TOKEN;
if (!Number.isInteger(port) || port <= 0 || port > 65535 || !token) {
    console.error("usage: node server.js --port N --token T (or PORT and SCIM_TOKEN)");
    process.exit(2);
}

// A plain JSON copy, so stored state never aliases SCIMMY's schema instances.
const plain = (value) => JSON.parse(JSON.stringify(value));

/** Wires one resource type to an in-memory Map. `unique` checks a new/updated value for conflicts. */
function store(Resource, unique) {
    const items = new Map();
    const notFound = (id) => new SCIMMY.Types.Error(404, null, `Resource ${id} not found`);
    return Resource
        .egress((resource) => {
            if (resource.id) {
                if (!items.has(resource.id)) throw notFound(resource.id);
                return plain(items.get(resource.id));
            }
            const all = [...items.values()].map(plain);
            return resource.filter ? resource.filter.match(all) : all;
        })
        .ingress((resource, instance) => {
            const now = new Date().toISOString();
            const previous = resource.id ? items.get(resource.id) : undefined;
            if (resource.id && !previous) throw notFound(resource.id);
            // Stored as returned (schemas and meta included), so SCIMMY's Filter.match sees what a
            // client sees: filters on schemas or meta.* are then SCIMMY's to get right or wrong.
            const {meta, ...data} = plain(instance);
            unique?.(data, resource.id, items);
            const id = resource.id ?? randomUUID();
            const stored = {...data, id, meta: {
                resourceType: Resource.schema.definition.name,
                created: previous?.meta.created ?? now,
                lastModified: now,
                location: `${Resource.basepath()}/${id}`,
            }};
            items.set(id, stored);
            return plain(stored);
        })
        .degress((resource) => {
            if (!items.delete(resource.id)) throw notFound(resource.id);
        });
}

// userName is caseExact=false (RFC 7643 §4.1.1), so uniqueness ignores case.
const userNameUnique = (data, id, items) => {
    const wanted = String(data.userName ?? "").toLowerCase();
    for (const [otherId, other] of items) {
        if (otherId !== id && String(other.userName).toLowerCase() === wanted)
            throw new SCIMMY.Types.Error(409, "uniqueness", `userName '${data.userName}' is already in use`);
    }
};

SCIMMY.Resources.declare(store(SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false), userNameUnique));
SCIMMY.Resources.declare(store(SCIMMY.Resources.Group));

const app = express();
app.use("/scim/v2", new SCIMMYRouters({
    type: "bearer",
    handler: (req) => {
        if (req.header("Authorization") !== `Bearer ${token}`) throw new Error("Authorization failed");
        // A service token, not a User: returning no id makes /Me answer 501 (scimmy-routers).
    },
    baseUri: () => `http://127.0.0.1:${port}`,
}));
// Outside /scim/v2: a SCIM 404 like the routers' own, rather than Express's HTML page.
app.use((req, res) => res.status(404).type("application/scim+json")
    .send(new SCIMMY.Messages.Error({status: 404, message: "Endpoint Not Found"})));

// scimmy-routers answers a 5xx itself and then passes the error on; without an error handler of
// the app's own, Express's final handler sees the answer already sent and destroys the socket,
// so the client's next request on that kept-alive connection fails. Log the error instead.
app.use((err, req, res, next) => {
    console.error(err);
    if (!res.headersSent) res.status(500).type("application/scim+json")
        .send(new SCIMMY.Messages.Error({status: 500, message: "Internal Server Error"}));
});

app.listen(port, "127.0.0.1", () => console.log(`scimmy listening on http://127.0.0.1:${port}/scim/v2`));
