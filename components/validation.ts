import { GUID, ROTATION_LABEL } from "./formats";

/**
 * Components validate their arguments with a pure `validateXxxArgs` function before they
 * register anything; this turns its problems into the one error every component throws.
 */
export function throwIfInvalid(component: string, name: string, problems: readonly string[]): void {
    if (problems.length === 0) return;
    throw new Error(
        `${component} '${name}' has invalid arguments:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
}

/** The problem with a credential rotation label (`credentialRotation` args), if any. */
export function credentialRotationProblems(label: string | undefined): string[] {
    return ROTATION_LABEL.test(label ?? "1")
        ? []
        : [`credentialRotation '${label}' must be a short label such as 2026-11`];
}

/** Problems with the Entra ID group lists (`adminGroupObjectIds`, `viewerGroupObjectIds`) of `args`. */
export function groupObjectIdProblems(args: {
    readonly adminGroupObjectIds?: readonly string[];
    readonly viewerGroupObjectIds?: readonly string[];
}): string[] {
    return (["adminGroupObjectIds", "viewerGroupObjectIds"] as const).flatMap((key) =>
        (args[key] ?? [])
            .filter((id) => !GUID.test(id))
            .map((id) => `${key}: '${id}' is not an Entra ID object id (a GUID)`),
    );
}
