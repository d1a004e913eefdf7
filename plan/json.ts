/**
 * Provider inputs arrive JSON-encoded when structured (the SDK sends a provider's objects and
 * lists as JSON text): decode those, leave everything else as it is.
 */
export function jsonOrValue(v: unknown): unknown {
    if (typeof v !== "string" || !/^[[{]/.test(v)) return v;
    try {
        return JSON.parse(v);
    } catch {
        return v;
    }
}
