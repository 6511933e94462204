// The training room's door: everything other rooms may use of it. Import "../training", never its files.
export { formatCents } from './bookings.service';
export { listCourses } from './courses.queries';
export { createCourse } from './courses.service';
export { recommendationsOfTask } from './requests.queries';
export { recommendTraining } from './requests.service';
export { trainingApiRoutes } from './training.api';
export { trainingRoutes } from './training.routes';
export { trainingPaths } from './training.openapi';
