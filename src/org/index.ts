// The org room's door: everything other rooms may use of it. Import "../org", never its files.
export { findDepartment, findTeam, listDepartments, listTeams, teamSupervisorUsernames } from './org.queries';
export { orgRoutes } from './org.routes';
export { amountToCents } from './org.schemas';
export { saveDepartment, saveTeam } from './org.service';
// Where a person stands in the org: the users room places and removes people through these.
export { addTeamSupervisor, dropManagedDepartments, dropSupervisedTeams, setDepartmentManager } from './org.queries';
