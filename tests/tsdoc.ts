/**
 * The project's TSDoc as tests read it: tools/tsdoc.ts, its one home (tools/config-doc.ts reads
 * it too).
 */
export { documentedDefaults, documentedValue } from "../tools/tsdoc";
