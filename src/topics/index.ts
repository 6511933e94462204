// The call topics room's door (issue 16): admin-defined conditions that tag every analysed call, the background
// tagging, and what a staff call page shows of them. Import "../topics", never its files.
export { DEFAULT_TOPICS, ensureDefaultTopics } from './defaults';
export { TopicTaggingRunner, topicTagging } from './topics.runner';
export { topicRoutes } from './topics.routes';
export { callFactsChangedForTopics, topicName, topicsOfCall, type CallTopicView } from './topics.service';
