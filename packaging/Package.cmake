# The Debian package of gleaner, made by `cpack -G DEB` in a build directory
# (packaging/build_deb.sh; packaging/README.md says why cpack and not dpkg-buildpackage).
# Its files are what the install() rules install, with the prefix /usr; the Debian-only
# files (copyright, changelog.Debian.gz, the lintian overrides) and the maintainer scripts
# come from packaging/.
# Included at the end of the top-level CMakeLists.txt, after every install() rule and after
# gleaner_site_files (the site files installed under /etc/gleaner/sites) is set.

set(gleaner_packaging_dir ${CMAKE_CURRENT_LIST_DIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME gleaner)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# The Debian revision: 1 for each new upstream version, raised when only the packaging
# changes. It must match the newest entry of packaging/changelog.Debian (cpack checks,
# in install_debian_docs.cmake; a build that makes no package is not held up by it).
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# The config goes to /etc/gleaner, an absolute destination: with DESTDIR, cpack stages it
# inside the package tree (without, it would write to the build machine's own /etc), and
# the install runs with CMAKE_INSTALL_PREFIX set to CPACK_INSTALL_PREFIX.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
# cpack builds the `preinstall` target before it installs, and that target depends on `all`
# unless this is set: in a build directory with the tests and benchmarks on (bootstrap.sh
# test's build/), cpack would compile all of them for nothing. packaging/build_deb.sh builds
# what the package installs instead. The one other effect: `make install` no longer builds
# first (`cmake --install`, which README.md uses, never did).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(GLEANER_DEB_MAINTAINER "gleaner maintainers <maintainers@users.noreply.h-seed-140f3603.example>"
    CACHE STRING "Maintainer: field of the Debian package")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${GLEANER_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "news scraper daemon for news collection boxes")
# The long description: one line per control-file line (under 80 columns), "." for a blank
# line; cpack indents it and puts the summary above it.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "gleaner polls news aggregator sites and the publishers they link to, turns
each article page into a clean record (title, original source, date, body,
without the page chrome) using per-site YAML rules, and queues the records
in SQLite for downstream consumers.
.
This package runs it as a hardened systemd service under the gleaner user,
with its configuration and site rules in /etc/gleaner and its database in
/var/lib/gleaner. Members of the gleaner group can read and claim records.")

# dpkg-shlibdeps reads the binary's libraries and writes their packages into Depends:.
# By hand what the unit and the maintainer scripts run that a minimal Debian 12 may lack:
# systemd-sysusers (postinst), with the alternatives debhelper's dh_installsysusers names;
# /bin/kill, which the unit's ExecReload= runs (`systemctl reload gleaner`), from procps,
# which minbase roots and container images leave out. deb-systemd-helper and
# deb-systemd-invoke come with init-system-helpers, Essential: yes in Debian 12, so it is
# not named (lintian: an error to depend on an essential package without a version).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd | systemd-standalone-sysusers | systemd-sysusers, procps")

# Every file under /etc is a conffile: dpkg keeps a local edit across upgrades and
# reinstalls, and removes the files only on purge. The list is the install rules' own.
set(gleaner_conffiles "${GLEANER_CONFIG_DIR}/gleaner.yaml\n")
foreach(site_file IN LISTS gleaner_site_files)
  string(APPEND gleaner_conffiles "${GLEANER_CONFIG_DIR}/sites/${site_file}\n")
endforeach()
file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/packaging/conffiles CONTENT "${gleaner_conffiles}")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_BINARY_DIR}/packaging/conffiles ${gleaner_packaging_dir}/postinst
    ${gleaner_packaging_dir}/prerm ${gleaner_packaging_dir}/postrm)
# conffiles 0644 and the scripts 0755 whatever their mode in the checkout.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# copyright and changelog.Debian.gz go into the package only (a `cmake --install` is not a
# Debian package): cpack runs this script during its staging install, `cmake --install`
# never does. The CPACK_GLEANER_* variables reach it through CPackConfig.cmake.
set(CPACK_GLEANER_PACKAGING_DIR ${gleaner_packaging_dir})
set(CPACK_GLEANER_DOCDIR ${CMAKE_INSTALL_DOCDIR})
set(CPACK_GLEANER_WORK_DIR ${PROJECT_BINARY_DIR}/packaging)
set(CPACK_INSTALL_SCRIPTS ${gleaner_packaging_dir}/install_debian_docs.cmake)

# The targets the package's install needs built first (packaging/build_deb.sh reads this):
# the daemon, and the man pages where docs/man defines them (only when scdoc is found).
# A generator expression, so the answer comes after every directory has been read.
file(GENERATE OUTPUT ${PROJECT_BINARY_DIR}/packaging/targets
     CONTENT "gleaner\n$<$<TARGET_EXISTS:man>:man\n>")

include(CPack)
