/**
 * No violation message echoes a secret (issue 19). Policies receive secrets unwrapped: the pack's
 * messages strip the credentials they quote (redactCredentials), and the gate takes every secret
 * input value of the plan out of what it prints and writes as SARIF and JSON, whatever the pack.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type * as sarif from "sarif";
import { secretValue } from "../../plan/analyzer";
import {
    redactSecrets,
    renderVerdict,
    secretValues,
    SECRET_PLACEHOLDER,
    toSarif,
    Verdict,
} from "../../plan/gate";
import type { RecordedResource } from "../../plan/mocks";
import type { PlanResult } from "../../plan/run";
import { redactCredentials } from "../../policy/policies/types";
import { PROJECT_DIR, runPlanCli } from "../harness";
import { messages, resource, usePack } from "./harness";

const pack = usePack();

const TOKEN = "ghp_S3cr3tT0kenValue";
const TOKEN_URL = `http://x-access-token:${TOKEN}@github.com/example/fleet.git`;
const REDACTED_URL = "http://***@github.com/example/fleet.git";

describe("redactCredentials", () => {
    it("strips the userinfo of URLs and the values of credential parameters", () => {
        expect(redactCredentials(`'${TOKEN_URL}'`)).toBe(`'${REDACTED_URL}'`);
        expect(redactCredentials(`https://${TOKEN}@github.com/org/repo.git`)).toBe(
            "https://***@github.com/org/repo.git",
        );
        expect(redactCredentials("https://user:p@ss@dev.azure.com/org/_git/repo")).toBe(
            "https://***@dev.azure.com/org/_git/repo",
        );
        expect(
            redactCredentials(
                "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20250101&X-Amz-Security-Token=FwoGZX&X-Amz-Signature=abcdef0123",
            ),
        ).toBe(
            "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=***&X-Amz-Security-Token=***&X-Amz-Signature=***",
        );
        expect(
            redactCredentials("https://a.blob.core.windows.net/c?sv=2022-11-02&sp=r&sig=AbC%2Bd="),
        ).toBe("https://a.blob.core.windows.net/c?sv=2022-11-02&sp=r&sig=***");
        expect(redactCredentials("http://example.com/fleet.git?token=abc123&ref=main")).toBe(
            "http://example.com/fleet.git?token=***&ref=main",
        );
        expect(
            redactCredentials(
                "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=bXlrZXk+/w==;EndpointSuffix=core.windows.net",
            ),
        ).toBe(
            "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=***;EndpointSuffix=core.windows.net",
        );
        expect(redactCredentials("Server=db;User Id=app;Password=hunter22;")).toBe(
            "Server=db;User Id=app;Password=***;",
        );
    });

    it("leaves text without credentials as it is", () => {
        for (const text of [
            "https://github.com/example/fleet.git",
            "git@github.com:example/fleet.git",
            "user:dev@example.com",
            "set gitRepository.url to 'https://github.com/example/fleet.git' (or an ssh URL).",
            "set it to '[{\"HTTPS\": 443}]'",
            "https://example.com/x?ref=main&path=a",
        ]) {
            expect(redactCredentials(text)).toBe(text);
        }
    });
});

describe("gitops-source-https never echoes a token", () => {
    const POLICY = "gitops-source-https";
    const flux = (url: unknown) =>
        resource("azure-native:kubernetesconfiguration:FluxConfiguration", "arc-gitops", {
            sourceKind: "GitRepository",
            gitRepository: { url, repositoryRef: { branch: "main" } },
        });
    const gitRepository = (url: unknown) =>
        resource("kubernetes:source.toolkit.fluxcd.io/v1:GitRepository", "fleet", {
            apiVersion: "source.toolkit.fluxcd.io/v1",
            kind: "GitRepository",
            metadata: { name: "fleet", namespace: "flux-system" },
            spec: { interval: "1m", url, ref: { branch: "main" } },
        });

    it("quotes a Flux configuration's URL without the token in its userinfo", async () => {
        const found = await messages(pack(), POLICY, flux(TOKEN_URL));
        expect(found).toEqual([
            `FluxConfiguration 'arc-gitops' syncs gitRepository.url '${REDACTED_URL}' over plain http, where what the cluster applies can be read and altered in transit: set gitRepository.url to 'https://***@github.com/example/fleet.git' (or an ssh URL).`,
        ]);
        expect(found.join("\n")).not.toContain(TOKEN);
    });

    it("quotes a secret URL of a Flux GitRepository, unwrapped by CrossGuard, without the token", async () => {
        const found = await messages(pack(), POLICY, gitRepository(secretValue(TOKEN_URL)));
        expect(found).toEqual([
            `GitRepository 'fleet' syncs spec.url '${REDACTED_URL}' over plain http, where what the cluster applies can be read and altered in transit: set spec.url to 'https://***@github.com/example/fleet.git' (or an ssh URL).`,
        ]);
    });

    it("strips a token from the query string", async () => {
        const found = await messages(
            pack(),
            POLICY,
            gitRepository(`git://example.com/fleet.git?token=${TOKEN}`),
        );
        expect(found).toEqual([
            `GitRepository 'fleet' syncs spec.url 'git://example.com/fleet.git?token=***' over the git:// protocol, unencrypted and unauthenticated, where what the cluster applies can be read and altered in transit: set spec.url to 'https://example.com/fleet.git?token=***' (or an ssh URL).`,
        ]);
    });
});

describe("the gate's output carries no secret value", () => {
    const SECRET = "whk-0123456789abcdef";
    const KUBECONFIG = 'apiVersion: v1\nkind: Config\nusers: [{ token: "k8s-token-value" }]\n';
    const recorded = (inputs: Record<string, unknown>, secretPaths: string[]) =>
        ({
            urn: "urn:pulumi:test::fixture::kubernetes:core/v1:ConfigMap::app",
            type: "kubernetes:core/v1:ConfigMap",
            name: "app",
            custom: true,
            inputs,
            secretPaths,
        }) as unknown as RecordedResource;
    const plan = {
        project: { name: "fixture", dir: PROJECT_DIR },
        settings: { stack: "test", file: "Pulumi.test.yaml" },
        resources: [
            recorded(
                {
                    data: { key: SECRET, "dotted.key": "not-a-secret-value" },
                    values: { global: { kubeconfig: KUBECONFIG, short: "abc" } },
                    list: ["plain-value-1", TOKEN_URL],
                },
                ["data.key", "values.global", "list[1]"],
            ),
        ],
        outputs: {},
        outputSecretPaths: [],
    } as unknown as PlanResult;

    it("finds the secret values under the secret paths (8 characters or more), longest first", () => {
        const found = secretValues(plan);
        expect(found).toEqual(
            expect.arrayContaining([SECRET, KUBECONFIG, JSON.stringify(KUBECONFIG).slice(1, -1)]),
        );
        expect(found).toContain(TOKEN_URL);
        expect(found).not.toContain("abc");
        expect(found).not.toContain("not-a-secret-value");
        expect(found).not.toContain("plain-value-1");
        expect([...found].sort((a, b) => b.length - a.length)).toEqual(found);
        expect(redactSecrets(`a ${SECRET} b ${JSON.stringify({ KUBECONFIG })}`, found)).toBe(
            `a ${SECRET_PLACEHOLDER} b {"KUBECONFIG":"${SECRET_PLACEHOLDER}"}`,
        );
    });

    it("takes them out of the printed verdict and SARIF, even of a verdict it did not build", () => {
        const message = `echo-inputs\napp has ${SECRET} and ${JSON.stringify(KUBECONFIG)} from ${TOKEN_URL}`;
        const verdict = {
            pack: { name: "echo-pack", version: "0.0.1" },
            policies: [
                {
                    name: "echo-inputs",
                    description: "echo-inputs",
                    enforcementLevel: "mandatory",
                    kind: "resource",
                },
            ],
            diagnostics: [
                {
                    policyName: "echo-inputs",
                    policyPackName: "echo-pack",
                    policyPackVersion: "0.0.1",
                    description: "echo-inputs",
                    message,
                    enforcementLevel: "mandatory",
                    urn: plan.resources[0].urn,
                    type: plan.resources[0].type,
                    name: plan.resources[0].name,
                },
            ],
            mandatory: 1,
            advisory: 0,
            resources: 1,
            config: null,
        } as unknown as Verdict;
        const printed = renderVerdict(verdict, plan);
        const written = JSON.stringify(toSarif(verdict, plan));
        for (const out of [printed, written]) {
            expect(out).toContain(SECRET_PLACEHOLDER);
            for (const s of [SECRET, TOKEN, "k8s-token-value"]) expect(out).not.toContain(s);
        }
        expect(printed).toContain(`app has ${SECRET_PLACEHOLDER} and "${SECRET_PLACEHOLDER}"`);
    });
});

describe("npm run plan with a pack that echoes secrets", () => {
    const FIXTURE = path.join(PROJECT_DIR, "tests", "fixtures", "secret-echo");
    const ECHO_PACK = path.join(PROJECT_DIR, "tests", "fixtures", "echo-pack");
    const SECRETS = ["whk-0123456789abcdef", TOKEN];
    const tmp = (name: string) =>
        path.join(fs.mkdtempSync(path.join(os.tmpdir(), "no-echo-")), name);
    const run = (packDir: string, ...args: string[]) =>
        runPlanCli("--cwd", FIXTURE, "--stack", "test", "--policy-pack", packDir, ...args);

    it("prints, and writes as SARIF and JSON, no secret value", () => {
        const sarifFile = tmp("echo.sarif");
        const jsonFile = tmp("echo.json");
        const r = run(ECHO_PACK, "--sarif", sarifFile, "--json", jsonFile);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        const log = JSON.parse(fs.readFileSync(sarifFile, "utf8")) as sarif.Log;
        const json = JSON.parse(fs.readFileSync(jsonFile, "utf8")) as {
            verdict: Verdict;
        };
        // The echoes are there, their secrets replaced.
        expect(r.stdout).toContain(
            "echo-inputs  kubernetes:source.toolkit.fluxcd.io/v1:GitRepository fleet",
        );
        expect(r.stdout).toContain(`"example.com/webhook-key":"${SECRET_PLACEHOLDER}"`);
        expect(r.stdout).toContain(`"url":"${SECRET_PLACEHOLDER}"`);
        const results = (log.runs[0].results ?? []).map((x) => x.message.text ?? "");
        expect(results.some((t) => t.includes(SECRET_PLACEHOLDER))).toBe(true);
        expect(json.verdict.diagnostics.some((d) => d.message.includes(SECRET_PLACEHOLDER))).toBe(
            true,
        );
        const written = [
            r.stdout,
            fs.readFileSync(sarifFile, "utf8"),
            fs.readFileSync(jsonFile, "utf8"),
        ];
        for (const out of written) for (const s of SECRETS) expect(out).not.toContain(s);
    }, 120_000);

    it("prints no secret value a throwing policy quotes", () => {
        const config = tmp("config.json");
        fs.writeFileSync(config, JSON.stringify({ "echo-throws": "mandatory" }));
        const r = run(ECHO_PACK, "--policy-config", config);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain("plan: policy gate:");
        expect(r.stderr).toContain("cannot read");
        expect(r.stderr).toContain(SECRET_PLACEHOLDER);
        for (const s of SECRETS) expect(r.stdout + r.stderr).not.toContain(s);
    }, 120_000);

    it("prints the fleet pack's gitops-source-https violation without the token", () => {
        const sarifFile = tmp("fleet.sarif");
        const r = run(path.join(PROJECT_DIR, "policy"), "--sarif", sarifFile);
        expect(r.code).toBe(1);
        expect(r.stdout).toContain(
            `GitRepository 'fleet' syncs spec.url '${REDACTED_URL}' over plain http`,
        );
        for (const out of [r.stdout, r.stderr, fs.readFileSync(sarifFile, "utf8")]) {
            for (const s of SECRETS) expect(out).not.toContain(s);
        }
    }, 120_000);
});
