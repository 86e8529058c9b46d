export { SledDeploySearchResultListItem } from './SledDeploySearchResultListItem';
export type {
  SledDeploySearchDocument,
  SledDeploySearchResultListItemProps,
} from './SledDeploySearchResultListItem';
