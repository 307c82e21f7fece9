# Run by cpack alone (CPACK_INSTALL_SCRIPTS in Package.cmake) during its staging install:
# the files only the package has: copyright and changelog.Debian.gz, which Debian policy
# wants in /usr/share/doc/gleaner, and the lintian overrides. DESTDIR is the staging tree,
# so the absolute destinations land inside it.
set(docdir "${CPACK_PACKAGING_INSTALL_PREFIX}/${CPACK_GLEANER_DOCDIR}")

# The changelog's newest entry must be the package's version, or dpkg and the changelog
# disagree on what is installed: a new project() version needs a new entry.
set(changelog "${CPACK_GLEANER_PACKAGING_DIR}/changelog.Debian")
file(STRINGS "${changelog}" changelog_head LIMIT_COUNT 1)
set(deb_version "${CPACK_PACKAGE_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE}")
if(NOT changelog_head MATCHES "^gleaner \\(${deb_version}\\) ")
  message(FATAL_ERROR "packaging/changelog.Debian: the newest entry is not version "
                      "${deb_version}; add one. It reads: ${changelog_head}")
endif()
file(INSTALL "${CPACK_GLEANER_PACKAGING_DIR}/copyright" DESTINATION "${docdir}")

# gzip -9n: best compression, and no name or time stamp in the header, so the same
# changelog always gives the same bytes (Debian policy 12.7, reproducible builds).
file(MAKE_DIRECTORY "${CPACK_GLEANER_WORK_DIR}")
set(changelog_gz "${CPACK_GLEANER_WORK_DIR}/changelog.Debian.gz")
execute_process(COMMAND gzip -9nc "${changelog}"
                OUTPUT_FILE "${changelog_gz}" RESULT_VARIABLE gzip_status)
if(NOT gzip_status EQUAL 0)
  message(FATAL_ERROR "gzip -9n packaging/changelog.Debian failed: ${gzip_status}")
endif()
file(INSTALL "${changelog_gz}" DESTINATION "${docdir}")

# The package's lintian overrides (packaging/README.md lists them and why).
file(INSTALL "${CPACK_GLEANER_PACKAGING_DIR}/lintian-overrides"
     DESTINATION "${CPACK_PACKAGING_INSTALL_PREFIX}/share/lintian/overrides" RENAME gleaner)
