// The caching front's generation (ckanext/lngov/serving/cache.py): the content of the file that the
// web nodes rewrite after every change affecting a kept answer, read on every request. An
// unreadable file gives "", and the front then neither answers from its cache nor keeps.
import fs from 'fs';

function read(r) {
  try {
    return fs.readFileSync(r.variables.lngov_generation_file, 'utf8').trim();
  } catch (e) {
    return '';
  }
}

export default { read };
