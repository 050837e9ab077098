/** App roles of the HTTP API (infra/entra/app-roles.json declares the same values). */
export const ROLES = { reader: "reader", operator: "operator", approver: "approver", admin: "admin" } as const;
export type Role = (typeof ROLES)[keyof typeof ROLES];

/** Roles that include another's rights: an operator can read, an admin can do everything. */
export function rolesAllowing(role: Role): Role[] {
  switch (role) {
    case "reader":
      return ["reader", "operator", "approver", "admin"];
    case "operator":
      return ["operator", "admin"];
    case "approver":
      return ["approver", "admin"];
    case "admin":
      return ["admin"];
  }
}
