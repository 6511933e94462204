// The users room's door: everything other rooms may use of it. Import "../users", never its files.
export {
  countActiveAdmins,
  extensionDirectory,
  findUserByEmail,
  findUserById,
  findUserByUsername,
  listPeople,
} from './users.queries';
export { peopleRoutes, userAdminRoutes } from './users.routes';
export { changePasswordSchema, email, extension, password, tokenNameSchema, username } from './users.schemas';
export { createUser, updateUser } from './users.service';
export { endSessionsOfUser, updateUserRow } from './users.queries';
