// Placeholder entry; the regx CLI lands with the Distribution client.
process.stderr.write('regx: not built yet\n');
process.exit(1);
