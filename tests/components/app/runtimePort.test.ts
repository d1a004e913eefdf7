/**
 * The port the app's image serves on and the paths of its health checks
 * (components/app/runtimePort.ts), written once for every platform that runs the image: each
 * test reads the image (app/Dockerfile, app/run.py) and a consumer, so a port or path changed on
 * one side alone fails here.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- these tests read deep into Kubernetes objects */
import * as fs from "fs";
import * as path from "path";
import {
    APP_PORT,
    HEALTH_CHECK_PATH,
    READINESS_CHECK_PATH,
} from "../../../components/app/runtimePort";
import type * as WorkloadModule from "../../../components/app/Workload";
import type { KubeObject } from "../../../components/app/Workload";
import { PROJECT_DIR, workerModule } from "../../harness";

// Workload as the plans load it (it imports @pulumi/kubernetes).
const { workloadObjects, workloadSpec } =
    workerModule<typeof WorkloadModule>("components/app/Workload");

const IMAGE = `registry.example.com/app@sha256:${"a".repeat(64)}`;
const RELEASE = { image: IMAGE, ingress: { host: "app.example.com" } };
const dockerfile = fs.readFileSync(path.join(PROJECT_DIR, "app", "Dockerfile"), "utf8");
const objects = workloadObjects(workloadSpec(RELEASE, "gitops")) as (KubeObject &
    Record<string, any>)[];

describe("the app's port: the one the image serves on, and every consumer's", () => {
    it("is what app/Dockerfile exposes and gunicorn binds", () => {
        expect(APP_PORT).toBe(5001);
        expect(dockerfile.match(/^EXPOSE .*$/gm)).toEqual([`EXPOSE ${APP_PORT}`]);
        // The exec-form CMD: gunicorn listens on every interface of the container, on APP_PORT.
        const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
        const argv = JSON.parse(cmd ?? "[]") as string[];
        expect(argv[0]).toBe("gunicorn");
        expect(argv[argv.indexOf("--bind") + 1]).toBe(`0.0.0.0:${APP_PORT}`);
    });

    it("is the pod's container port, which the Service, the probes and the network policy reach", () => {
        const deployment = objects.find((o) => o.kind === "Deployment")!;
        const [app] = deployment.spec.template.spec.containers;
        expect(app.ports).toEqual([{ name: "http", containerPort: APP_PORT, protocol: "TCP" }]);
        const service = objects.find((o) => o.kind === "Service")!;
        expect(service.spec.ports.map((p: { targetPort: unknown }) => p.targetPort)).toEqual([
            "http",
        ]);
        const admit = objects.find((o) => o.metadata.name === "allow-app-ingress")!;
        expect(admit.spec.ingress[0].ports).toEqual([{ protocol: "TCP", port: APP_PORT }]);
    });
});

describe("the app's health checks: one path each, served by the app and probed everywhere", () => {
    it("are the routes app/run.py serves, and what the image's HEALTHCHECK calls", () => {
        expect([HEALTH_CHECK_PATH, READINESS_CHECK_PATH]).toEqual(["/healthz", "/readyz"]);
        const run = fs.readFileSync(path.join(PROJECT_DIR, "app", "run.py"), "utf8");
        expect(run).toContain(`@app.get("${HEALTH_CHECK_PATH}")`);
        expect(run).toContain(`@app.get("${READINESS_CHECK_PATH}")`);
        // The HEALTHCHECK instruction, with its continuation lines.
        const healthcheck = /^HEALTHCHECK (?:.*\\\n)*.*$/m.exec(dockerfile)?.[0];
        expect(healthcheck).toContain(`'http://127.0.0.1:${APP_PORT}${HEALTH_CHECK_PATH}'`);
    });

    it("are what the pod's probes call", () => {
        const deployment = objects.find((o) => o.kind === "Deployment") as KubeObject & {
            spec: {
                template: {
                    spec: { containers: Record<string, { httpGet: { path: string } }>[] };
                };
            };
        };
        const [app] = deployment.spec.template.spec.containers;
        expect(
            ["startupProbe", "livenessProbe", "readinessProbe"].map((p) => app[p].httpGet.path),
        ).toEqual([HEALTH_CHECK_PATH, HEALTH_CHECK_PATH, READINESS_CHECK_PATH]);
    });
});
