import { prepareTemplate } from './database.js';

await prepareTemplate();
