import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { throwIfInvalid } from "../validation";
import { GCP_SERVICE } from "./checks";

export interface ProjectServicesArgs {
    /** Project whose APIs are enabled. */
    readonly project: pulumi.Input<string>;
    /** Google API service names, e.g. `container.googleapis.com`. Duplicates are ignored. */
    readonly services: readonly string[];
    /**
     * Leave the APIs enabled when the stack is destroyed: other workloads in the project may use
     * them, and disabling an API can delete their resources.
     * @default true
     */
    readonly keepOnDestroy?: boolean;
}

/** Every problem with `args`, as messages naming the argument; empty when valid. */
export function validateProjectServicesArgs(args: ProjectServicesArgs): string[] {
    const problems: string[] = [];
    if (args.services.length === 0) {
        problems.push("services must name at least one API, e.g. container.googleapis.com");
    }
    for (const s of args.services.filter((s) => !GCP_SERVICE.test(s))) {
        problems.push(
            `services: '${s}' is not a Google API service name such as container.googleapis.com`,
        );
    }
    return problems;
}

/**
 * Enables the Google APIs a stack needs in one project, one `gcp.projects.Service` per API, so
 * that every later resource can depend on its API being on.
 */
export class ProjectServices extends pulumi.ComponentResource {
    /** The API service names enabled, sorted. */
    public readonly services: pulumi.Output<string[]>;
    /** The `gcp.projects.Service` resources, for `dependsOn`. */
    public readonly resources: gcp.projects.Service[];

    constructor(name: string, args: ProjectServicesArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfInvalid("ProjectServices", name, validateProjectServicesArgs(args));
        super("multicloud:gcp:ProjectServices", name, {}, opts);

        const keepOnDestroy = args.keepOnDestroy ?? true;
        const services = [...new Set(args.services)].sort();

        this.resources = services.map(
            (service) =>
                new gcp.projects.Service(
                    `${name}-${service.replace(/\.googleapis\.com$/, "")}`,
                    {
                        project: args.project,
                        service,
                        disableOnDestroy: !keepOnDestroy,
                        disableDependentServices: false,
                    },
                    { parent: this },
                ),
        );
        this.services = pulumi.output(services);
        this.registerOutputs({ services: this.services });
    }
}
