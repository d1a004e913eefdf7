/**
 * Policy tests run the pack the way the Pulumi CLI runs it: its own process, started through
 * @pulumi/pulumi's run-policy-pack, spoken to over the analyzer gRPC protocol (plan/analyzer.ts).
 * So each policy sees what it would see in a real preview, property proxies included.
 */
import * as path from "path";
import { AnalyzedResource, Diagnostic, PolicyConfig, PolicyPackProcess } from "../../plan/analyzer";
import { violationText } from "../../plan/gate";

export const PACK_DIR = path.resolve(__dirname, "..", "..", "policy");

/** Starts the pack for the test file and stops it afterwards. */
export function usePack(config?: PolicyConfig): () => PolicyPackProcess {
    let pack: PolicyPackProcess | undefined;
    beforeAll(async () => {
        pack = await PolicyPackProcess.start(PACK_DIR, { project: "fixture", stack: "test" });
        if (config) await pack.configure(config);
    }, 120_000);
    afterAll(async () => {
        await pack?.close();
    });
    return () => {
        if (!pack) throw new Error("the policy pack did not start");
        return pack;
    };
}

/** A resource as the engine would send it, with a URN built from its type and name. */
export function resource(
    type: string,
    name: string,
    properties: Record<string, unknown>,
    extra: Partial<AnalyzedResource> = {},
): AnalyzedResource {
    return {
        type,
        name,
        urn: `urn:pulumi:test::fixture::${type}::${name}`,
        properties,
        ...extra,
    };
}

/** The messages one policy reports for a resource (other policies' findings ignored). */
export async function messages(
    pack: PolicyPackProcess,
    policy: string,
    r: AnalyzedResource,
): Promise<string[]> {
    return only(await pack.analyze(r), policy);
}

/** The messages one policy reports for a whole stack. */
export async function stackMessages(
    pack: PolicyPackProcess,
    policy: string,
    resources: AnalyzedResource[],
): Promise<string[]> {
    return only(await pack.analyzeStack(resources), policy);
}

/** The violation text of each diagnostic of `policy`. */
function only(diagnostics: Diagnostic[], policy: string): string[] {
    return diagnostics.filter((d) => d.policyName === policy).map(violationText);
}
