/**
 * The validation every component shares (components/validation.ts): the one error a component
 * throws for its `validateXxxArgs` problems, and the rules several components apply alike.
 */
import {
    credentialRotationProblems,
    groupObjectIdProblems,
    repeatedProblems,
    throwIfInvalid,
} from "../../components/validation";

describe("throwIfInvalid", () => {
    it("throws one error naming the component, its name and every problem, one a line", () => {
        expect(() =>
            throwIfInvalid("AppImage", "app", ["registries is empty", "repository 'App' is bad"]),
        ).toThrow(
            new Error(
                "AppImage 'app' has invalid arguments:\n  - registries is empty\n  - repository 'App' is bad",
            ),
        );
    });

    it("lets valid arguments through", () => {
        expect(() => throwIfInvalid("AppImage", "app", [])).not.toThrow();
    });
});

describe("credentialRotationProblems", () => {
    it("accepts the default and any short label, and names a bad one with an example", () => {
        expect(credentialRotationProblems(undefined)).toEqual([]);
        expect(credentialRotationProblems("2026-11")).toEqual([]);
        expect(credentialRotationProblems("next month")).toEqual([
            "credentialRotation 'next month' must be a short label such as 2026-11",
        ]);
        expect(credentialRotationProblems("")).toEqual([
            "credentialRotation '' must be a short label such as 2026-11",
        ]);
    });
});

describe("repeatedProblems", () => {
    // Children are named after their item: a repeat would be two resources of one name, and
    // Azure refuses a second assignment of one role to one principal at one scope
    // (RoleAssignmentExists), as ArcGovernance and FleetDashboard note where they call this.
    it("names every repeat after the first, compared as the caller says", () => {
        const ids = [
            "33333333-3333-3333-3333-333333333333",
            "AAAAAAAA-3333-3333-3333-333333333333",
            "aaaaaaaa-3333-3333-3333-333333333333",
        ];
        expect(repeatedProblems("adminGroupObjectIds", ids)).toEqual([]);
        expect(repeatedProblems("adminGroupObjectIds", ids, (id) => id.toLowerCase())).toEqual([
            "adminGroupObjectIds: 'aaaaaaaa-3333-3333-3333-333333333333' is listed twice; remove the repeat",
        ]);
        expect(repeatedProblems("emails", ["a@x.io", "a@x.io", "a@x.io"])).toEqual([
            "emails: 'a@x.io' is listed twice; remove the repeat",
            "emails: 'a@x.io' is listed twice; remove the repeat",
        ]);
    });
});

describe("groupObjectIdProblems", () => {
    // Entra ID groups are granted Azure roles by object id, a GUID (Microsoft Graph group.id),
    // never by display name or mail address.
    it("names each entry of either list that is not a GUID, under its key", () => {
        expect(
            groupObjectIdProblems({
                adminGroupObjectIds: ["33333333-3333-3333-3333-333333333333", "platform-admins"],
                viewerGroupObjectIds: ["viewers@corp.example"],
            }),
        ).toEqual([
            "adminGroupObjectIds: 'platform-admins' is not an Entra ID object id (a GUID)",
            "viewerGroupObjectIds: 'viewers@corp.example' is not an Entra ID object id (a GUID)",
        ]);
        expect(groupObjectIdProblems({})).toEqual([]);
    });
});
