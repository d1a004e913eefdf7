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
        const provider = new Provider("aws", { region });
        return register({ req, provider, opts: { providers: [provider] } });
    });
}
