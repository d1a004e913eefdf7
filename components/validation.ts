import { DEFAULT_CREDENTIAL_ROTATION, GUID, ROTATION_LABEL, ROTATION_LABEL_RULE } from "./formats";

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
    return ROTATION_LABEL.test(label ?? DEFAULT_CREDENTIAL_ROTATION)
        ? []
        : [`credentialRotation '${label}' ${ROTATION_LABEL_RULE}`];
}

/**
 * One problem per item of `items` (the argument `key`) that repeats an earlier one, compared by
 * `same` (e.g. lower-cased object ids): children named by their item would collide.
 */
export function repeatedProblems(
    key: string,
    items: readonly string[],
    same: (item: string) => string = (item) => item,
): string[] {
    const keys = items.map(same);
    return items
        .filter((_, i) => keys.indexOf(keys[i]) !== i)
        .map((item) => `${key}: '${item}' is listed twice; remove the repeat`);
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
