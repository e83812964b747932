// bench/nginx_conf.mjs PORT PIDFILE PATH=BODYFILE... — writes an nginx.conf
// on stdout whose locations `return 200` the exact bytes of each body file,
// so wrk can compare dangjian with nginx answering the same bytes from memory.
// nginx strings interpolate $variables and treat \ as an escape, so both are
// escaped ($ through a geo variable that always yields "$").
import { readFileSync } from 'node:fs';

const [port, pidfile, ...pairs] = process.argv.slice(2);
const quote = (s) => "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\$/g, '${dollar}') + "'";
const locations = pairs.map((p) => {
	const i = p.lastIndexOf('=');
	const path = p.slice(0, i).split('?')[0];
	const body = readFileSync(p.slice(i + 1), 'utf8');
	return `  location = ${path} { default_type application/json; return 200 ${quote(body)}; }`;
});
process.stdout.write(`worker_processes 2; pid ${pidfile}; error_log /dev/null; daemon on;
events { worker_connections 1024; }
http { access_log off; geo $dollar { default "$"; }
 server { listen 127.0.0.1:${port};
${locations.join('\n')}
 } }
`);
