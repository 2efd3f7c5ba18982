// `node --import audithook/register`: loads the CommonJS register, the one installation of the thread.
import '../register.js';
