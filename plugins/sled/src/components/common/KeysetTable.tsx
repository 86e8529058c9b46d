import { Table, TableColumn } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { ErrorPanel } from './ErrorAlert';
import { PageControls } from './PageControls';
import { KeysetPages } from './useKeysetPages';

/**
 * A server-paged table: one page of rows, newer/older buttons and a page
 * size, or the error that stopped the page from loading.
 */
export function KeysetTable<T extends object>(props: {
  title: string;
  columns: TableColumn<T>[];
  pages: KeysetPages<T>;
  pageSize: number;
  onPageSizeChange: (size: number) => void;
  /** shown while the first page loads */
  loadingText: string;
  /** shown when there are no rows */
  emptyText: string;
  onRowClick?: (row: T) => void;
}) {
  const { title, columns, pages, pageSize, onPageSizeChange, onRowClick } =
    props;
  return (
    <>
      {pages.error ? (
        <ErrorPanel error={pages.error} />
      ) : (
        <Table<T>
          title={title}
          columns={columns}
          data={pages.items}
          isLoading={pages.loading}
          onRowClick={onRowClick && ((_event, row) => row && onRowClick(row))}
          options={{
            paging: false,
            search: false,
            sorting: false,
            padding: 'dense',
            draggable: false,
          }}
          emptyContent={
            <Box p={2}>
              <Typography variant="body2" color="textSecondary">
                {pages.loading ? props.loadingText : props.emptyText}
              </Typography>
            </Box>
          }
        />
      )}
      <PageControls
        pages={pages}
        pageSize={pageSize}
        onPageSizeChange={onPageSizeChange}
      />
    </>
  );
}
