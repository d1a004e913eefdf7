/**
 * The AWS component tests' plan: a program of nothing but the components a test registers, on
 * one explicit AWS provider (the stacks disable default providers), planned directly under the
 * recording mocks with tests/harness.ts planComponents, in the jest worker's own `require`.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { PlanResult } from "../../../plan/run";
import { planComponents, WorkerRequire } from "../../harness";

export interface AwsPlanContext {
    /** The worker's `require`: take every component and SDK the test registers from it. */
    readonly req: WorkerRequire;
    /** The AWS provider `aws` of the plan's region. */
    readonly provider: aws.Provider;
    /** `{ providers: [provider] }`. */
    readonly opts: pulumi.ComponentResourceOptions;
    /** `value` (arguments written in the test) as the worker's Pulumi can send it: see toWorker. */
    readonly data: <T>(value: T) => T;
}

/**
 * Plans what `register` creates, on the AWS provider `aws` in `region`, with the settings of the
 * dev stack (project `multicloud`, stack `dev`), without the stack's program.
 */
export function planAws(
    register: (ctx: AwsPlanContext) => unknown,
    region = "eu-west-1",
): Promise<PlanResult> {
    return planComponents((req) => {
        const { Provider } = req<typeof aws>("@pulumi/aws");
        const data = toWorker(req);
        const provider = new Provider("aws", { region });
        return register({ req, data, provider, opts: data({ providers: [provider] }) });
    });
}

/**
 * Plain data (objects, arrays, primitives) rebuilt with the worker realm's own objects and arrays;
 * anything else (a resource, an Output) is kept as it is. The test file runs in jest's realm, the
 * plan in the worker's: Pulumi sends an input list only when it is an `instanceof Array` of its
 * own realm (@pulumi/pulumi runtime/rpc.js serializeProperty), and would send a list written in
 * the test (`commonRuleSetExcludedRules: ["A", "B"]`) as an object `{ "0": "A", "1": "B" }`.
 */
function toWorker(req: WorkerRequire): <T>(value: T) => T {
    // JSON.parse of a module loaded by the worker's `require` builds the worker realm's values.
    const { jsonOrValue } = req<typeof import("../../../plan/json")>("plan/json");
    const copy = (value: unknown): unknown => {
        if (Array.isArray(value)) {
            const list = jsonOrValue("[]") as unknown[];
            for (const item of value) list.push(copy(item));
            return list;
        }
        if (isPlainObject(value)) {
            const object = jsonOrValue("{}") as Record<string, unknown>;
            for (const [key, item] of Object.entries(value)) object[key] = copy(item);
            return object;
        }
        return value;
    };
    return <T>(value: T) => copy(value) as T;
}

/** An object literal of any realm: its prototype is its realm's Object.prototype, or null. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
    if (value === null || typeof value !== "object") return false;
    const proto = Object.getPrototypeOf(value) as object | null;
    return proto === null || Object.getPrototypeOf(proto) === null;
}
