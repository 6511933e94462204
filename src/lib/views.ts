import ejs from 'ejs';

type RenderCallback = (err: Error | null, html?: string) => void;

/**
 * The EJS engine for Express, with the views folder as the root of every include: views include their partials
 * by absolute path (`include('/partials/head')`), which EJS resolves from `root` without touching the disk. A
 * relative include is looked up with `fs.existsSync` each time it is rendered, even with compiled views cached
 * (six times on the call list). `cached` is Express's `view cache` setting, which EJS otherwise reads
 * from the settings Express passes with the data (and ignores once options are passed, as here).
 */
export function viewEngine(viewsDir: string, cached: () => boolean) {
  return (file: string, data: object, callback: RenderCallback): void => {
    ejs.renderFile(file, data as ejs.Data, { root: viewsDir, cache: cached() }, (err, html) => callback(err, html));
  };
}
