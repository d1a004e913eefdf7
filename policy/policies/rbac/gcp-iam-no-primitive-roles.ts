import type { ResourceValidationPolicy } from "@pulumi/policy";
import { get, isRecord, items, list, parseJson, read, UNKNOWN } from "../types";

/**
 * The basic ("primitive") roles. Each holds thousands of permissions across every Google Cloud
 * service, and gains those of every service Google adds. Viewer is included: besides the
 * configuration of nearly every resource, it reads data wherever resources grant project viewers
 * access by default (BigQuery datasets, Cloud Storage bucket and object ACLs), and a predefined
 * viewer role (roles/monitoring.viewer, roles/container.viewer...) covers every real use.
 */
const BASIC_ROLES: ReadonlyMap<string, string> = new Map([
    [
        "roles/owner",
        "which allows changing and deleting every resource of every service, and granting access to anyone",
    ],
    ["roles/editor", "which allows changing and deleting nearly every resource of every service"],
    [
        "roles/viewer",
        "which allows reading nearly every resource, and much of the data, of every service",
    ],
]);

type Level = "project" | "folder" | "organization";
type Kind = "member" | "binding" | "policy";

/** The IAM resources of a project, folder or organization (`gcp.projects.IAMMember`...). */
const IAM_TYPES: ReadonlyMap<string, readonly [Level, Kind]> = new Map([
    ["gcp:projects/iAMMember:IAMMember", ["project", "member"]],
    ["gcp:projects/iAMBinding:IAMBinding", ["project", "binding"]],
    ["gcp:projects/iAMPolicy:IAMPolicy", ["project", "policy"]],
    ["gcp:folder/iAMMember:IAMMember", ["folder", "member"]],
    ["gcp:folder/iAMBinding:IAMBinding", ["folder", "binding"]],
    ["gcp:folder/iAMPolicy:IAMPolicy", ["folder", "policy"]],
    ["gcp:organizations/iAMMember:IAMMember", ["organization", "member"]],
    ["gcp:organizations/iAMBinding:IAMBinding", ["organization", "binding"]],
    ["gcp:organizations/iAMPolicy:IAMPolicy", ["organization", "policy"]],
]);

/** Each level: the property naming it, and how messages name it (known or not). */
const LEVELS: Readonly<
    Record<Level, { readonly property: string; readonly title: string; readonly under: string }>
> = {
    project: { property: "project", title: "Project", under: "" },
    folder: { property: "folder", title: "Folder", under: " (and every project under it)" },
    organization: {
        property: "orgId",
        title: "Organization",
        under: " (and every folder and project in it)",
    },
};

const KINDS: Readonly<Record<Kind, string>> = {
    member: "IAM member",
    binding: "IAM binding",
    policy: "IAM policy",
};

/** "user:a@example.com, group:b@example.com and 1 member not known until deployment". */
function describeMembers(members: unknown[] | typeof UNKNOWN): string {
    if (members === UNKNOWN) return "members not known until deployment";
    const known = members.filter((m): m is string => typeof m === "string");
    const unknown = members.length - known.length;
    const later =
        unknown === 0
            ? []
            : [`${unknown === 1 ? "a member" : `${unknown} members`} not known until deployment`];
    const named = [...known, ...later];
    return named.length <= 1
        ? named.join("")
        : `${named.slice(0, -1).join(", ")} and ${named[named.length - 1]}`;
}

export const gcpIamNoPrimitiveRoles: ResourceValidationPolicy = {
    name: "gcp-iam-no-primitive-roles",
    description:
        "Google Cloud IAM members, bindings and policies of a project, folder or organization (gcp.projects, gcp.folder and gcp.organizations IAMMember, IAMBinding and IAMPolicy, whose policyData is read binding by binding) must not grant the basic roles roles/owner, roles/editor or roles/viewer to anyone, with or without a condition: each holds thousands of permissions across every service, and gains those of each new service. Predefined and custom roles are accepted, as are bindings with no members; a role not known until deployment is checked once known.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const iam = IAM_TYPES.get(args.type);
        if (!iam) return;
        const [level, kind] = iam;
        const { property, title, under } = LEVELS[level];
        const target = read(args.props, property);
        const scope =
            typeof target === "string" && target.trim() !== ""
                ? `${level} '${target}'${under}`
                : `its ${level}${under}`;
        const report = (role: string, members: unknown[] | typeof UNKNOWN, binding?: number) => {
            const many = members === UNKNOWN || members.length > 1;
            const needs = many ? "the members need" : "the member needs";
            const example = "(for example roles/container.developer or roles/monitoring.viewer";
            const fix =
                binding === undefined
                    ? `change role to the predefined roles ${needs} ${example}, one ${kind === "member" ? "IAMMember" : "IAMBinding"} per role) or to a custom role.`
                    : `in policyData, change bindings[${binding}].role to the predefined roles ${needs} ${example}, one binding per role) or to a custom role.`;
            const where = binding === undefined ? "" : ` in policyData.bindings[${binding}]`;
            reportViolation(
                `${title} ${KINDS[kind]} '${args.name}' grants the basic role ${role} on ${scope} to ${describeMembers(members)}${where}, ${BASIC_ROLES.get(role) ?? ""}: ${fix}`,
            );
        };

        if (kind === "policy") {
            // Known as a whole or not at all: a policyData computed from outputs is checked once known.
            const document = parseJson(read(args.props, "policyData"));
            list(get(document, "bindings")).forEach((binding, i) => {
                const role = get(binding, "role");
                if (typeof role !== "string" || !BASIC_ROLES.has(role)) return;
                const members = isRecord(binding) ? list(binding.members) : [];
                if (members.length > 0) report(role, members, i);
            });
            return;
        }
        // The role first: grants of other roles never need their (often computed) members.
        const role = read(args.props, "role");
        if (typeof role !== "string" || !BASIC_ROLES.has(role)) return;
        if (kind === "member") {
            report(role, [read(args.props, "member")]);
            return;
        }
        const members = read(args.props, "members");
        if (members === UNKNOWN) report(role, UNKNOWN);
        else if (list(members).length > 0) report(role, items(members));
    },
};
