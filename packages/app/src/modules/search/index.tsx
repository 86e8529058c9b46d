import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SearchFilterResultTypeBlueprint } from '@backstage/plugin-search-react/alpha';
import CloudUploadIcon from '@material-ui/icons/CloudUpload';

/** "Deploys" in the search page's result types: `sled-deploy` documents. */
const sledDeploysResultType = SearchFilterResultTypeBlueprint.make({
  name: 'sled-deploys',
  params: {
    value: 'sled-deploy',
    name: 'Deploys',
    icon: <CloudUploadIcon />,
  },
});

export const searchModule = createFrontendModule({
  pluginId: 'search',
  extensions: [sledDeploysResultType],
});
