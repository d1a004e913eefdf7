/**
 * The user the app's image runs as (components/app/runtimeUser.ts), written once for every
 * platform that runs the image: the image's own USER, the Kubernetes pod's security context, and
 * the AWS fleet's `docker run --user` and TLS key owner. A UID changed on one side alone would
 * leave the app unable to read what it owns (the key, the database Secret's group) or run it as
 * another user than the image was built for.
 */
import * as fs from "fs";
import * as path from "path";
import { APP_UID } from "../../../components/app/runtimeUser";
import type * as WorkloadModule from "../../../components/app/Workload";
import { one, planStack, PROJECT_DIR, workerModule } from "../../harness";

// Workload as the plans load it (it imports @pulumi/kubernetes).
const { workloadObjects, workloadSpec } =
    workerModule<typeof WorkloadModule>("components/app/Workload");

describe("APP_UID: the one user the image runs as, everywhere", () => {
    // checkov CKV_K8S_40 ("Containers should run as a high UID to avoid host conflict") asks for
    // a UID of 10000 or more: distributions give host users 1000 and up, system users less.
    it("is a high UID, not root, and the image's USER (uid:gid)", () => {
        expect(APP_UID).toBe(10001);
        expect(APP_UID).toBeGreaterThanOrEqual(10000);
        const dockerfile = fs.readFileSync(path.join(PROJECT_DIR, "app", "Dockerfile"), "utf8");
        expect(dockerfile.match(/^USER .*$/gm)).toEqual([`USER ${APP_UID}:${APP_UID}`]);
    });

    it("is what the pod runs as, and the group that may read the database Secret", () => {
        const deployment = workloadObjects(
            workloadSpec(
                {
                    image: `registry.example.com/app@sha256:${"a".repeat(64)}`,
                    ingress: { host: "app.example.com" },
                },
                "gitops",
            ),
        ).find((o) => o.kind === "Deployment") as unknown as {
            spec: {
                template: {
                    spec: {
                        securityContext: Record<string, unknown>;
                        containers: { securityContext: Record<string, unknown> }[];
                    };
                };
            };
        };
        const pod = deployment.spec.template.spec;
        expect(pod.securityContext).toMatchObject({
            runAsUser: APP_UID,
            runAsGroup: APP_UID,
            fsGroup: APP_UID,
        });
        expect(pod.containers[0].securityContext).toMatchObject({ runAsUser: APP_UID });
    });

    it("is what the AWS fleet runs the container as, and the owner of the instance's TLS key", async () => {
        const dev = await planStack("dev");
        expect(dev.errors).toEqual([]);
        const template = one(dev, "aws:ec2/launchTemplate:LaunchTemplate", "app-lt");
        const userData = Buffer.from(String(template.inputs.userData), "base64").toString();
        expect(userData).toContain(`--user ${APP_UID}:${APP_UID} `);
        expect(userData).toMatch(new RegExp(`chown ${APP_UID}:${APP_UID} \\S+/key\\.pem`));
    }, 120_000);
});
