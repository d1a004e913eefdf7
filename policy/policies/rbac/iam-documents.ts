/** Reading AWS IAM policy documents (identity and trust policies) given as JSON text or objects. */
import { isRecord, list, parseJson, type Props } from "../types";

/** One statement of a policy document, with the label violation messages name it by. */
export interface Statement {
    readonly label: string;
    readonly body: Props;
}

/** The statements of a policy document; none when it is missing or not valid JSON. */
export function statements(document: unknown): Statement[] {
    const parsed = parseJson(document);
    if (!isRecord(parsed)) return [];
    return list(parsed.Statement)
        .filter(isRecord)
        .map((body, i) => ({
            label:
                typeof body.Sid === "string" && body.Sid !== ""
                    ? `statement "${body.Sid}"`
                    : `statement #${i + 1}`,
            body,
        }));
}

/** Whether a statement allows (IAM's Effect is case-sensitive: only "Allow" grants). */
export function isAllow(statement: Statement): boolean {
    return statement.body.Effect === "Allow";
}

/** The strings of a statement field that may be a string or a list of strings. */
export function strings(value: unknown): string[] {
    return list(value).filter((v): v is string => typeof v === "string");
}

/** Whether a statement has a non-empty Condition block. */
export function hasCondition(statement: Statement): boolean {
    const condition = statement.body.Condition;
    return isRecord(condition) && Object.keys(condition).length > 0;
}
