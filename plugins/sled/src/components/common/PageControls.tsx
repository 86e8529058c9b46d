import { useId } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { KeysetPages } from './useKeysetPages';

export const PAGE_SIZES = [20, 50, 100];

/** Newer/older buttons and a page size for a keyset-paginated table. */
export function PageControls(props: {
  pages: KeysetPages<unknown>;
  pageSize: number;
  onPageSizeChange: (size: number) => void;
}) {
  const { pages, pageSize, onPageSizeChange } = props;
  const id = useId();
  return (
    <Box
      display="flex"
      alignItems="center"
      justifyContent="flex-end"
      mt={1}
      style={{ gap: 16 }}
    >
      <TextField
        select
        id={`${id}-page-size`}
        size="small"
        label="Rows per page"
        // wide enough for its label on one line
        style={{ minWidth: 120 }}
        value={pageSize}
        onChange={e => onPageSizeChange(Number(e.target.value))}
      >
        {PAGE_SIZES.map(size => (
          <MenuItem key={size} value={size}>
            {size}
          </MenuItem>
        ))}
      </TextField>
      <Typography variant="body2">Page {pages.pageIndex + 1}</Typography>
      <Button
        size="small"
        onClick={pages.previous}
        disabled={!pages.hasPrevious || pages.loading}
      >
        Newer
      </Button>
      <Button
        size="small"
        onClick={pages.next}
        disabled={!pages.hasNext || pages.loading}
      >
        Older
      </Button>
    </Box>
  );
}
