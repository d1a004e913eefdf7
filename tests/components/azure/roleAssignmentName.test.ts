/**
 * components/azure/roleAssignmentName.ts: the names of every Azure role assignment the program
 * makes (ArcGovernance, FleetDashboard, AppImage's Key Vault grant).
 *
 * Azure's rules: a role assignment's name "can be any valid GUID" (the SDK's
 * authorization/roleAssignment.d.ts, `roleAssignmentName`); azure-native picks a random one when
 * it is not set. Azure allows one assignment per scope, role and principal whatever its name: a
 * second one fails with RoleAssignmentExists. So a name derived from that triple, as Bicep's
 * `guid(scope, principalId, roleDefinitionId)` is
 * (https://learn.microsoft.com/azure/azure-resource-manager/bicep/scenarios-rbac), makes every run
 * and every re-created assignment ask for the same name, and a list reordered or grown renames
 * nothing (the components' plans check the lists: ArcGovernance.test.ts, FleetDashboard.test.ts).
 */
import { GUID } from "../../../components/formats";
import {
    ROLE_ASSIGNMENT_NAMESPACE,
    roleAssignmentName,
    uuidV5,
} from "../../../components/azure/roleAssignmentName";
import { LOWER_GUID, OTHER_RG, RG, roleId } from "./fixtures";

const ADMINS = "33333333-3333-3333-3333-333333333333";
const VIEWERS = "44444444-4444-4444-4444-444444444444";
const ARC_ADMIN = "8393591c-06b9-48a2-a542-1bd6b377f6a2";
const ARC_VIEWER = "63f0a09d-1495-4db4-a681-037d84835eb4";

describe("uuidV5", () => {
    it("is a version 5 UUID as RFC 9562 defines it", () => {
        // RFC 9562, Appendix A.4: UUIDv5 of "www.example.com" in the DNS namespace.
        expect(uuidV5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com")).toBe(
            "2ed6657d-e927-568b-95e1-2665a8aea6a2",
        );
        // Python's uuid.uuid5(uuid.NAMESPACE_DNS, "python.org").
        expect(uuidV5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org")).toBe(
            "886313e1-3b8a-5372-9b90-0c9aee199e5d",
        );
    });

    it("refuses a namespace that is not a UUID", () => {
        expect(() => uuidV5("fleet", "x")).toThrow("uuidV5: namespace 'fleet' is not a UUID");
    });
});

describe("roleAssignmentName", () => {
    it("is a GUID, as Azure requires of a role assignment's name", () => {
        for (const name of [
            roleAssignmentName(RG, ARC_ADMIN, ADMINS),
            roleAssignmentName(RG, roleId(ARC_VIEWER), VIEWERS),
        ]) {
            expect(name).toMatch(GUID);
            expect(name).toMatch(LOWER_GUID);
            // Version 5 (name-based), RFC 9562 variant.
            expect(name[14]).toBe("5");
            expect("89ab").toContain(name[19]);
        }
    });

    it("names one grant the same however its ids are written, and different grants differently", () => {
        const name = roleAssignmentName(RG, roleId(ARC_ADMIN), ADMINS);
        for (const same of [
            roleAssignmentName(`${RG}/`.toUpperCase(), ARC_ADMIN.toUpperCase(), ADMINS),
            roleAssignmentName(
                RG,
                `/providers/Microsoft.Authorization/roleDefinitions/${ARC_ADMIN}`,
                ADMINS.toUpperCase(),
            ),
            roleAssignmentName(` ${RG} `, ` ${ARC_ADMIN}`, `${ADMINS} `),
        ]) {
            expect(same).toBe(name);
        }
        const others = [
            roleAssignmentName(OTHER_RG, roleId(ARC_ADMIN), ADMINS),
            roleAssignmentName(RG, roleId(ARC_VIEWER), ADMINS),
            roleAssignmentName(RG, roleId(ARC_ADMIN), VIEWERS),
        ];
        expect(new Set([name, ...others]).size).toBe(4);
    });

    it("keeps the name of a grant when the list it came from changes", () => {
        // What a component does with its group list: one name per group, from the triple only.
        const names = (groups: readonly string[]) =>
            new Map(groups.map((g) => [g, roleAssignmentName(RG, ARC_ADMIN, g)]));
        const before = names([ADMINS, VIEWERS]);
        const after = names(["55555555-5555-5555-5555-555555555555", VIEWERS, ADMINS]);
        for (const [group, name] of before) expect(after.get(group)).toBe(name);
    });

    it("names a grant as every earlier release did: the namespace and the derivation are fixed", () => {
        // Changing either renames, so re-creates, every role assignment of every stack. Checked
        // against Python: uuid.uuid5(UUID(ROLE_ASSIGNMENT_NAMESPACE),
        // "<scope lowercased>\n<role guid>\n<principal>").
        expect(ROLE_ASSIGNMENT_NAMESPACE).toBe("3f6c1d2e-8b4a-4c1f-9e57-2a9d0b6c7e41");
        expect(roleAssignmentName(RG, ARC_ADMIN, ADMINS)).toBe(
            "e08f72a9-d7f3-5239-a475-f535e3242293",
        );
        expect(roleAssignmentName(RG, ARC_ADMIN, ADMINS)).toBe(
            uuidV5(ROLE_ASSIGNMENT_NAMESPACE, [RG.toLowerCase(), ARC_ADMIN, ADMINS].join("\n")),
        );
    });
});
