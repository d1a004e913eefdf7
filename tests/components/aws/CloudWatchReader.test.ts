/**
 * CloudWatchReader (components/aws/CloudWatchReader.ts): what the fleet dashboard's CloudWatch
 * data source signs in with, an IAM user whose access key may do nothing but assume one
 * read-only role, with an external id. Planned directly (a program of nothing but readers); its
 * argument checks called directly. Each test names the IAM or STS rule it holds to.
 */
import type { RecordedResource } from "../../../plan/mocks";
import type { PlanResult } from "../../../plan/run";
import type * as CloudWatchReaderModule from "../../../components/aws/CloudWatchReader";
import type { CloudWatchReaderArgs } from "../../../components/aws/CloudWatchReader";
import { DEFAULT_CREDENTIAL_ROTATION } from "../../../components/formats";
import { byUrn, created, ofType, one, workerModule } from "../../harness";
import { planAws } from "./harness";

/** The component's module as the plans load it: its policy and checks, called directly. */
const { CLOUDWATCH_READ_ACTIONS, GRAFANA_IAM_PATH, validateCloudWatchReaderArgs } = workerModule<
    typeof CloudWatchReaderModule
>("components/aws/CloudWatchReader");

const T = {
    component: "multicloud:aws:CloudWatchReader",
    user: "aws:iam/user:User",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    userPolicy: "aws:iam/userPolicy:UserPolicy",
    key: "aws:iam/accessKey:AccessKey",
};

const EXTERNAL_ID = "multicloud-dev-grafana";

interface PolicyDocument {
    Version: string;
    Statement: {
        Effect: string;
        Principal?: unknown;
        Action: string | string[];
        Resource?: unknown;
        Condition?: unknown;
    }[];
}
const policy = (r: RecordedResource, key = "policy") =>
    JSON.parse(String(r.inputs[key])) as PolicyDocument;

/**
 * A program of nothing but CloudWatchReaders, on their own AWS provider; `secrets` gets, per
 * reader, whether its `secretAccessKey` is a secret Output.
 */
function planReaders(
    readers: [name: string, args: CloudWatchReaderArgs][],
    secrets: Record<string, boolean> = {},
): Promise<PlanResult> {
    return planAws(({ req, opts }) => {
        const pulumi = req<typeof import("@pulumi/pulumi")>("@pulumi/pulumi");
        const { CloudWatchReader } = req<typeof import("../../../components/aws/CloudWatchReader")>(
            "components/aws/CloudWatchReader",
        );
        const checked = readers.map(async ([name, args]) => {
            const reader = new CloudWatchReader(name, args, opts);
            secrets[name] = await pulumi.isSecret(reader.secretAccessKey);
        });
        // Waited for by the plan; resolves to nothing, which the program would export.
        return Promise.all(checked).then(() => undefined);
    }, "us-east-1");
}

describe("CloudWatchReader", () => {
    let plan: PlanResult;
    const secrets: Record<string, boolean> = {};
    beforeAll(async () => {
        plan = await planReaders(
            [
                [
                    "cw",
                    {
                        externalId: EXTERNAL_ID,
                        credentialRotation: "2026-11",
                        tags: { team: "platform" },
                    },
                ],
            ],
            secrets,
        );
        expect(plan.errors).toEqual([]);
    });

    // The confused-deputy guard (IAM User Guide, "Access to AWS accounts owned by third
    // parties": the role's trust policy requires sts:ExternalId). AssumeRole without that id,
    // or by any other principal, is denied.
    it("trusts only its own user, and only with the external id", () => {
        expect(policy(one(plan, T.role, "cw"), "assumeRolePolicy")).toEqual({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: {
                        AWS: expect.stringMatching(
                            /^arn:aws:iam:[a-z0-9-]*:123456789012:user\/cw-user-/,
                        ),
                    },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "sts:ExternalId": EXTERNAL_ID } },
                },
            ],
        });
        expect(one(plan, T.component, "cw").outputs?.externalId).toBe(EXTERNAL_ID);
    });

    // IAM refuses a trust policy naming a user that does not exist yet: CreateRole fails with
    // MalformedPolicyDocument "Invalid principal in policy" (AWS Knowledge Center,
    // "iam-trust-policy-error"; hashicorp/terraform-provider-aws#184). The policy is built from
    // the user's ARN, so the role is created after its user.
    it("creates the role after the user its trust policy names", () => {
        const role = one(plan, T.role, "cw");
        const user = one(plan, T.user, "cw-user");
        expect(role.propertyDependencies.assumeRolePolicy).toEqual([user.urn]);
        expect(role.dependencies).toContain(user.urn);
    });

    it("lets the role read CloudWatch metrics, alarms and the instances' tags, and nothing else", () => {
        const read = one(plan, T.rolePolicy, "cw-read");
        expect(read.inputs.role).toBe("cw-id");
        expect(policy(read)).toEqual({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: [...CLOUDWATCH_READ_ACTIONS], Resource: "*" }],
        });
        // Read-only by the actions' own names: no Put, Set, Delete, Create, ...
        for (const action of CLOUDWATCH_READ_ACTIONS) {
            expect(action).toMatch(/^[a-z0-9]+:(Describe|List|Get)[A-Za-z]+$/);
        }
        expect(ofType(plan, T.rolePolicy)).toHaveLength(1);
        expect(ofType(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")).toEqual([]);
    });

    it("gives the key's user one right: to assume that role", () => {
        const assume = one(plan, T.userPolicy, "cw-assume");
        expect(assume.inputs.user).toMatch(/^cw-user-/);
        expect(policy(assume)).toEqual({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Action: "sts:AssumeRole",
                    Resource: expect.stringMatching(/:role\/cw-/),
                },
            ],
        });
        // No other grant reaches the user: no managed policy, no group.
        expect(ofType(plan, T.userPolicy)).toHaveLength(1);
        expect(ofType(plan, "aws:iam/userPolicyAttachment:UserPolicyAttachment")).toEqual([]);
        expect(ofType(plan, "aws:iam/userGroupMembership:UserGroupMembership")).toEqual([]);
    });

    // IAM and AWS STS quotas: an inline user policy holds at most 2,048 characters, an inline
    // role policy 10,240 (PutUserPolicy / PutRolePolicy fail with LimitExceeded beyond them).
    it("keeps each inline policy within IAM's size quota", () => {
        expect(String(one(plan, T.userPolicy, "cw-assume").inputs.policy).length).toBeLessThan(
            2048,
        );
        expect(String(one(plan, T.rolePolicy, "cw-read").inputs.policy).length).toBeLessThan(10240);
    });

    // CreateRole: Path "Length Constraints: Minimum length of 1. Maximum length of 512.
    // Pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)"; MaxSessionDuration "Valid Range:
    // Minimum value of 3600. Maximum value of 43200" (IAM API Reference). The shared path lets
    // the deployer's rights be limited to user/grafana/* and role/grafana/* (docs/permissions.md#aws).
    it("puts the user and the role under /grafana/, with the shortest session IAM allows", () => {
        expect(GRAFANA_IAM_PATH).toMatch(/^(\/|\/[\u0021-\u007E]+\/)$/);
        expect(GRAFANA_IAM_PATH.length).toBeLessThanOrEqual(512);
        expect(one(plan, T.user, "cw-user").inputs).toEqual({
            path: GRAFANA_IAM_PATH,
            tags: { team: "platform" },
        });
        expect(one(plan, T.role, "cw").inputs).toMatchObject({
            path: GRAFANA_IAM_PATH,
            maxSessionDuration: 3600,
            tags: { team: "platform" },
        });
    });

    it("replaces the access key when the rotation label changes", () => {
        const key = one(plan, T.key, "cw-key");
        expect(key.replacementTrigger).toBe("2026-11");
        expect(key.inputs.user).toMatch(/^cw-user-/);
        // No PGP key: Grafana needs the secret itself, which stays a secret (next test).
        expect(key.inputs.pgpKey).toBeUndefined();
    });

    it("hands the secret key over as a secret, and never registers it as an output", () => {
        expect(secrets.cw).toBe(true);
        const component = one(plan, T.component, "cw");
        expect(component.outputs).toEqual({
            roleArn: expect.stringMatching(/:role\/cw-/),
            externalId: EXTERNAL_ID,
            accessKeyId: expect.stringMatching(/^AKIA[0-9A-F]{16}$/),
        });
        expect(JSON.stringify(plan.resources)).not.toContain("mock-secret-of-cw-key");
    });

    it("parents every child to the component, on the component's provider", () => {
        const component = one(plan, T.component, "cw");
        const children = created(plan).filter((r) => r.parent === component.urn);
        expect(children.map((r) => `${r.type} ${r.name}`).sort()).toEqual(
            [
                `${T.user} cw-user`,
                `${T.role} cw`,
                `${T.rolePolicy} cw-read`,
                `${T.userPolicy} cw-assume`,
                `${T.key} cw-key`,
            ].sort(),
        );
        const provider = one(plan, "pulumi:providers:aws", "aws");
        for (const child of children) expect(child.provider).toBe(provider.urn);
    });
});

describe("CloudWatchReader variants", () => {
    it("carries the default rotation label until a stack rotates the key", async () => {
        const plan = await planReaders([["cw", { externalId: EXTERNAL_ID }]]);
        expect(plan.errors).toEqual([]);
        expect(one(plan, T.key, "cw-key").replacementTrigger).toBe(DEFAULT_CREDENTIAL_ROTATION);
        expect(DEFAULT_CREDENTIAL_ROTATION).toBe("1");
        expect(one(plan, T.user, "cw-user").inputs.tags).toEqual({});
    });

    it("lets two readers share a stack, each trusting its own user with its own id", async () => {
        const plan = await planReaders([
            ["blue", { externalId: "blue-id" }],
            ["green", { externalId: "green-id" }],
        ]);
        expect(plan.errors).toEqual([]);
        const children = created(plan).filter((r) => byUrn(plan, r.parent)?.type === T.component);
        const names = children.map((r) => `${r.type}::${r.name}`);
        expect(new Set(names).size).toBe(names.length);
        for (const name of ["blue", "green"]) {
            const [trust] = policy(one(plan, T.role, name), "assumeRolePolicy").Statement;
            expect(trust.Principal).toEqual({
                AWS: expect.stringMatching(new RegExp(`:user/${name}-user-`)),
            });
            expect(trust.Condition).toEqual({
                StringEquals: { "sts:ExternalId": `${name}-id` },
            });
        }
    });

    it("registers nothing when its arguments are invalid, listing every problem", async () => {
        const plan = await planReaders([
            ["bad", { externalId: "grafana id", credentialRotation: "2026 11" }],
        ]);
        // Only the program's own provider: not the component, not a single child.
        expect(created(plan).map((r) => r.type)).toEqual(["pulumi:providers:aws"]);
        expect(plan.errors[0]).toContain(
            "CloudWatchReader 'bad' has invalid arguments:\n" +
                "  - externalId 'grafana id' must be 2-1224 letters, digits or +=,.@:/-_ (IAM's rule for sts:ExternalId)\n" +
                "  - credentialRotation '2026 11' must be a short label such as 2026-11",
        );
    });
});

describe("validateCloudWatchReaderArgs", () => {
    const problems = (externalId: string, credentialRotation?: string) =>
        validateCloudWatchReaderArgs({ externalId, credentialRotation });
    const refused = (id: string) =>
        `externalId '${id}' must be 2-1224 letters, digits or +=,.@:/-_ (IAM's rule for sts:ExternalId)`;

    // STS AssumeRole, ExternalId: "Length Constraints: Minimum length of 2. Maximum length of
    // 1224. Pattern: [\w+=,.@:\/-]*" (AWS STS API Reference): the data source could never
    // present another id, so the role would be unusable.
    it("takes an external id of 2 to 1224 characters of [\\w+=,.@:/-]", () => {
        for (const id of ["ab", "x".repeat(1224), "a_Z-0+=,.@:/", EXTERNAL_ID]) {
            expect([id.slice(0, 20), problems(id)]).toEqual([id.slice(0, 20), []]);
        }
        for (const id of ["a", "", "x".repeat(1225), "grafana id", "id;drop", "ünïcode"]) {
            expect(problems(id)).toEqual([refused(id)]);
        }
    });

    it("takes a rotation label as the other credential-rotating components do", () => {
        expect(problems(EXTERNAL_ID, "2026-11")).toEqual([]);
        expect(problems(EXTERNAL_ID, undefined)).toEqual([]);
        expect(problems(EXTERNAL_ID, "a b")).toEqual([
            "credentialRotation 'a b' must be a short label such as 2026-11",
        ]);
    });
});
