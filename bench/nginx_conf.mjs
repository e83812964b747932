// bench/nginx_conf.mjs PORT PIDFILE PATH=BODYFILE... — writes an nginx.conf
// on stdout whose locations `return 200` the exact bytes of each body file,
// so wrk can compare dangjian with nginx answering the same bytes from memory.
// nginx strings interpolate $variables and treat \ as an escape, so both are
// escaped ($ through a geo variable that always yields "$").  nginx caps a
// directive's parameter at 4 KB, so a longer body is served from its file
// instead (from the page cache, with sendfile and open_file_cache).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const [port, pidfile, ...pairs] = process.argv.slice(2);
const quote = (s) => "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\$/g, '${dollar}') + "'";
const locations = pairs.map((p) => {
	const i = p.lastIndexOf('=');
	const path = p.slice(0, i).split('?')[0];
	const file = p.slice(i + 1);
	const body = readFileSync(file, 'utf8');
	if (Buffer.byteLength(quote(body)) < 4000)
		return `  location = ${path} { default_type application/json; return 200 ${quote(body)}; }`;
	return `  location = ${path} { default_type application/json; alias ${resolve(file)}; }`;
});
process.stdout.write(`worker_processes 2; pid ${pidfile}; error_log /dev/null; daemon on;
events { worker_connections 1024; }
http { access_log off; sendfile on; open_file_cache max=16; geo $dollar { default "$"; }
 server { listen 127.0.0.1:${port};
${locations.join('\n')}
 } }
`);
