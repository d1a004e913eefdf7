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
